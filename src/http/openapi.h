#pragma once

// The OpenAPI 3.1 document, generated from the route table: every routed
// path and method, with its parameters, body, success shape inside the
// envelope, and every error it can return. Nothing in it is written by hand
// apart from the descriptions the routes declare.

#include <string>

#include "http/router.h"
#include "ratelimit/rules.h"

namespace cairn::http {

struct ApiInfo {
  std::string title = "Cairn API";
  std::string version;
  std::string description;
  // The rules this server counts with, published as `x-rate-limits` for
  // /docs; null when rate limiting is off.
  const ratelimit::RuleTable* rate_limits = nullptr;
};

// The document as JSON text. Aborts (a programming error, caught by the
// tests) if a route declares a schema that is not valid JSON.
std::string BuildOpenApi(const Router& router, const ApiInfo& info);

}  // namespace cairn::http
