#pragma once

// Rate limiting in API tests (API.md §8): servers with limiting on, the
// headers of counted and refused requests, and the log lines of refusals.

#include <picojson.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness.h"

namespace cairn::test {

// Server options with limiting on and the given RATE_LIMIT_* / TRUST_PROXY
// settings.
ServerProcess::Options Limited(const std::map<std::string, std::string>& env);

// A response header as an integer (REQUIREs it to be there).
int64_t HeaderInt(const httplib::Result& res, const char* name);

// The wall clock in Unix seconds, as X-RateLimit-Reset is written.
int64_t Now();

httplib::Headers Forwarded(const std::string& xff);

int GetStatus(httplib::Client& cli, const std::string& path, const httplib::Headers& headers = {});

// A 429 as API.md §3 and §8 describe it.
void CheckRefusal(const httplib::Result& res);

// A 200 with no rate-limit header at all.
void CheckUnlimited(const httplib::Result& res);

// `cairn user create` straight on the database, without signing in (a
// sign-in would count against the auth rule).
void CreateUser(const ServerProcess& server, const std::string& email,
                const std::string& role = "user");

std::string LoginBody(const std::string& email, const std::string& password);

// Uses up n requests of GET path, each one passing.
void Spend(httplib::Client& cli, int n, const std::string& path = "/api/v1",
           const httplib::Headers& headers = {});

// The server's JSON log lines whose event is `event`, once the ~100 ms log
// buffer has been flushed.
std::vector<picojson::object> LogEvents(const ServerProcess& server, const std::string& event);

}  // namespace cairn::test
