#pragma once

// Small steps the recipient, merchant and notification tests share: a linked
// sandbox account, a merchant registration, a fresh token pair, a table read
// back whole (to show a refused request left it as it was), a row moved back
// in time, and waiting for the notification dispatcher.
//
// Each helper fails the calling test (REQUIRE) when a step that is not under
// test goes wrong. Names are distinct from the other API-test helpers', as
// every helper file is linked into one binary.

#include <picojson.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "accounts.h"
#include "harness.h"
#include "http/httplib_config.h"

namespace cairn::test {

// Links a sandbox account at DNB holding balance (raw JSON number); returns
// its id.
std::string LinkDnbAccount(httplib::Client& cli, const Account& who,
                           const std::string& balance = "1000");

// POST /api/v1/merchants/register as who; the raw answer.
httplib::Result RegisterBusiness(httplib::Client& cli, const Account& who, const std::string& body);
// A register body: businessName, orgNumber, bankAccount 8601.11.17947, and
// `extra` members as raw JSON (",\"address\":\"Storgata 1\"").
std::string BusinessBody(const std::string& name, const std::string& org_number,
                         const std::string& extra = "");
// Registers who as a merchant (201 required) and returns the account with a
// refreshed token pair, which carries role merchant; *merchant_id gets the id.
Account BecomeMerchant(httplib::Client& cli, const Account& who, const std::string& name,
                       const std::string& org_number, std::string* merchant_id);
// POST /api/v1/auth/refresh with who's refresh token; who with the new pair.
Account Refreshed(httplib::Client& cli, const Account& who);


// "2026-01-15T10:30:00Z".
bool LooksLikeUtc(const std::string& s);
// Unix seconds as "2026-01-15T10:30:00Z".
std::string UtcText(int64_t unix_seconds);

// Every row of table (ordered by rowid), every column, as one string.
std::string TableRows(const ServerProcess& server, const std::string& table);
// Runs sql on the server's database opened read-write (WAL lets the server
// keep running), e.g. to move a payment back in time.
void WriteSql(const ServerProcess& server, const std::string& sql);

// The outbox without dispatched_at (which the dispatcher sets on its own
// schedule, not the request under test): what a refused request must leave.
std::string EventRows(const ServerProcess& server);

// Polls GET /api/v1/notifications (pageSize 100) until it holds at least
// `count` items or `timeout` passes (long: it returns as soon as they are
// there, and a sanitizer build on a busy machine is slow); returns the last
// list's items.
picojson::array AwaitNotifications(httplib::Client& cli, const Account& who, size_t count,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace cairn::test
