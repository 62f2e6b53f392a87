#include "http/handlers_system.h"

#include <cmath>
#include <map>

#include "http/envelope.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/version.h"

namespace cairn::http {

namespace {

// The unversioned /api/health some seed clients call keeps working until then.
const TimePoint kApiHealthSunset = TimePoint(std::chrono::seconds(1814313600));  // 2027-06-30

int64_t UptimeSeconds(const SystemDeps& deps) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                          deps.started)
      .count();
}

void AppendCommon(std::string& out, const SystemDeps& deps) {
  out += "\"version\":";
  json::AppendString(out, kVersion);
  out += ",\"uptime\":" + std::to_string(UptimeSeconds(deps));
  out += ",\"timestamp\":\"" + FormatIso8601(SystemClock::Get().Now()) + "\"";
}

Status Liveness(const SystemDeps& deps, httplib::Response& res) {
  std::string data = "{\"status\":\"ok\",";
  AppendCommon(data, deps);
  data.push_back('}');
  WriteData(res, 200, data);
  return Status::Ok();
}

Status Readiness(const SystemDeps& deps, httplib::Response& res) {
  Result<double> latency = store::Ping(*deps.db, std::chrono::milliseconds(1000));
  if (!latency.ok()) {
    std::string details = "{\"status\":\"error\",\"db\":\"unavailable\",";
    AppendCommon(details, deps);
    details.push_back('}');
    return Status::Unavailable("The database is not answering").WithDetailsJson(details);
  }
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", latency.value());
  std::string data = "{\"status\":\"ok\",\"db\":\"connected\",\"dbLatencyMs\":";
  data += ms;
  data.push_back(',');
  AppendCommon(data, deps);
  data.push_back('}');
  WriteData(res, 200, data);
  return Status::Ok();
}

Status Discovery(const SystemDeps& deps, httplib::Response& res) {
  // Built from the route table, so it lists exactly what is served.
  std::map<std::string, std::vector<std::string>> services;
  for (const Route& r : deps.router->routes()) {
    if (r.sunset || !r.doc.published) continue;
    services[r.doc.tag].push_back(r.method + " " + r.path);
  }
  picojson::object svc;
  for (auto& [tag, list] : services) {
    picojson::array a;
    for (auto& s : list) a.emplace_back(s);
    svc[tag] = picojson::value(a);
  }
  picojson::object links;
  links["openapi"] = picojson::value("/api/v1/openapi.json");
  links["health"] = picojson::value("/api/v1/health");
  links["docs"] = picojson::value("/docs");
  links["console"] = picojson::value("/");
  picojson::object data;
  data["name"] = picojson::value("Cairn");
  data["version"] = picojson::value(kVersion);
  data["apiVersion"] = picojson::value("v1");
  data["services"] = picojson::value(svc);
  data["links"] = picojson::value(links);
  WriteValue(res, 200, picojson::value(data));
  return Status::Ok();
}

constexpr char kHealthSchema[] = R"({
  "type": "object", "required": ["status", "version", "uptime", "timestamp"],
  "properties": {
    "status": {"const": "ok"},
    "version": {"type": "string"},
    "uptime": {"type": "integer", "description": "seconds since start"},
    "timestamp": {"type": "string", "format": "date-time"}}})";

constexpr char kReadinessSchema[] = R"({
  "type": "object", "required": ["status", "db", "dbLatencyMs", "version", "uptime", "timestamp"],
  "properties": {
    "status": {"const": "ok"},
    "db": {"const": "connected"},
    "dbLatencyMs": {"type": "number"},
    "version": {"type": "string"},
    "uptime": {"type": "integer"},
    "timestamp": {"type": "string", "format": "date-time"}}})";

constexpr char kDiscoverySchema[] = R"({
  "type": "object", "required": ["name", "version", "apiVersion", "services", "links"],
  "properties": {
    "name": {"type": "string"},
    "version": {"type": "string"},
    "apiVersion": {"const": "v1"},
    "services": {"type": "object", "description": "routes by service tag",
                 "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "links": {"type": "object", "additionalProperties": {"type": "string"}}}})";

}  // namespace

void RegisterSystemRoutes(Router& router, SystemDeps& deps) {
  SystemDeps* d = &deps;
  auto live_handler = [d](const Call&, httplib::Response& res) { return Liveness(*d, res); };
  auto ready_handler = [d](const Call&, httplib::Response& res) { return Readiness(*d, res); };
  auto discovery_handler = [d](const Call&, httplib::Response& res) {
    return Discovery(*d, res);
  };
  auto openapi_handler = [d](const Call&, httplib::Response& res) {
    res.status = 200;
    res.set_content(d->openapi_json, "application/json; charset=utf-8");
    return Status::Ok();
  };

  Route live = MakeRoute("GET", "/health", live_handler, "system", "Liveness");
  live.rate_class = RateClass::kNever;
  live.doc.description = "Answers while the process runs; touches nothing else.";
  live.doc.data_schema = kHealthSchema;
  router.Add(std::move(live));

  Route ready = MakeRoute("GET", "/api/v1/health", ready_handler, "system", "Readiness");
  ready.rate_class = RateClass::kNever;
  ready.doc.description =
      "Reads the database. 503 with details.status \"error\" when it cannot answer within a "
      "second.";
  ready.doc.data_schema = kReadinessSchema;
  ready.doc.errors = {503};
  Route alias = ready;
  router.Add(std::move(ready));

  alias.path = "/api/health";
  alias.doc.summary = "Readiness (deprecated unversioned alias of /api/v1/health)";
  alias.sunset = kApiHealthSunset;
  alias.successor = "/api/v1/health";
  router.Add(std::move(alias));

  Route discovery = MakeRoute("GET", "/api/v1", discovery_handler, "system", "API discovery");
  discovery.doc.description =
      "Every served route by service, and links to the OpenAPI document and readiness.";
  discovery.doc.data_schema = kDiscoverySchema;
  router.Add(std::move(discovery));

  Route openapi =
      MakeRoute("GET", "/api/v1/openapi.json", openapi_handler, "system", "OpenAPI 3.1 document");
  openapi.doc.description = "Generated from the route table at start.";
  openapi.doc.data_schema = R"({"type": "object", "required": ["openapi", "paths"]})";
  openapi.doc.enveloped = false;
  router.Add(std::move(openapi));
}

}  // namespace cairn::http
