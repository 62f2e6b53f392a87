#include "http/handlers_static.h"

#include <map>
#include <memory>
#include <string>

#include "util/digest.h"

namespace cairn::http {

namespace {

struct Asset {
  std::string_view data;
  std::string_view content_type;
  std::string etag;
};

// Embedded name ("index.html", "assets/console.js") -> the file.
using AssetTable = std::map<std::string, Asset, std::less<>>;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status Serve(const AssetTable& table, std::string_view name, const Call& call,
             httplib::Response& res) {
  auto it = table.find(name);
  if (it == table.end()) return Status::NotFound("No such file");
  const Asset& a = it->second;
  res.set_header("ETag", a.etag);
  res.set_header("Cache-Control", "no-cache");
  if (EtagMatches(call.req.get_header_value("If-None-Match"), a.etag)) {
    res.status = 304;
    // A 304's headers update the browser's stored copy. The pipeline picks
    // the Content-Security-Policy by Content-Type, so without it the page's
    // policy would be replaced by the one for non-HTML ("default-src
    // 'none'") and the cached page would load nothing. Content-Length is the
    // 200's, as RFC 9110 §8.6 requires of a 304 that sends one.
    res.set_header("Content-Type", std::string(a.content_type));
    res.set_header("Content-Length", std::to_string(a.data.size()));
    return Status::Ok();
  }
  res.status = 200;
  res.set_content(a.data.data(), a.data.size(), std::string(a.content_type));
  return Status::Ok();
}

Route WebRoute(std::string path, Handler handler, std::string summary, std::string description) {
  Route r = MakeRoute("GET", std::move(path), std::move(handler), "web", std::move(summary));
  r.rate_class = RateClass::kNever;
  r.doc.description = std::move(description);
  r.doc.published = false;
  return r;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
  struct Type {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  };
  for (const Type& t : kTypes) {
    if (EndsWith(name, t.ext)) return t.type;
  }
  return "application/octet-stream";
}

bool EtagMatches(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  std::string_view want = etag;
  if (want.substr(0, 2) == "W/") want.remove_prefix(2);
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (!tag.empty() && tag == want) return true;
  }
  return false;
}

void RegisterStaticRoutes(Router& router, std::span<const embedded::File> files) {
  auto table = std::make_shared<AssetTable>();
  for (const embedded::File& f : files) {
    if (f.name.empty()) continue;
    // 64 bits of the hash tell versions apart; the tag is not a secret.
    std::string etag = "\"" + Sha256Hex(f.data).substr(0, 16) + "\"";
    table->emplace(std::string(f.name), Asset{f.data, ContentTypeFor(f.name), std::move(etag)});
  }

  auto page = [table](std::string name) -> Handler {
    return [table, name = std::move(name)](const Call& call, httplib::Response& res) {
      return Serve(*table, name, call, res);
    };
  };
  router.Add(WebRoute("/", page("index.html"), "The web console",
                      "static/index.html: sign in, accounts, payments, history, sessions, keys."));
  router.Add(WebRoute("/docs", page("docs.html"), "The API reference",
                      "static/docs.html, rendered in the browser from the OpenAPI document."));

  auto asset = [table](const Call& call, httplib::Response& res) {
    std::string_view file = call.params.Get("file");
    // One path segment, so never a "/"; a dot file is never served either
    // (embed skips them, and ".." is not a file).
    if (file.empty() || file.front() == '.') return Status::NotFound("No such file");
    return Serve(*table, "assets/" + std::string(file), call, res);
  };
  router.Add(WebRoute("/assets/{file}", asset, "A console or docs asset",
                      "A script, style sheet or image from static/assets/."));
}

}  // namespace cairn::http
