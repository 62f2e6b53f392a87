#pragma once

// Cards in API tests: a server with FEATURE_CARDS=1, issuing and listing
// cards, and every card and limit row read back as one comparable string, so
// that a refused request can be shown to have changed nothing.

#include <picojson.h>

#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"

namespace cairn::test {

// Options for a server with the cards routes on.
ServerProcess::Options CardsOn();
// POST /api/v1/cards with body; returns the new card's id.
std::string IssueCard(httplib::Client& cli, const Account& who, const std::string& body = "{}");
// GET /api/v1/cards: the ids, in the order listed.
std::vector<std::string> ListCardIds(httplib::Client& cli, const Account& who);
// PUT /api/v1/cards/{id}/limits.
httplib::Result PutLimit(httplib::Client& cli, const Account& who, const std::string& id,
                         const std::string& body);
// Every row of cards and card_limits, as one string.
std::string CardState(const ServerProcess& server);

}  // namespace cairn::test
