#include "http/router.h"

#include <cstdio>
#include <cstdlib>

namespace cairn::http {

std::string_view PathParams::Get(std::string_view name) const {
  for (const auto& [k, v] : values) {
    if (k == name) return v;
  }
  return {};
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

Route MakeRoute(std::string method, std::string path, Handler handler, std::string tag,
                std::string summary) {
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.handler = std::move(handler);
  r.doc.tag = std::move(tag);
  r.doc.summary = std::move(summary);
  return r;
}

void Router::Add(Route route) {
  for (const Route& r : routes_) {
    if (r.method == route.method && r.path == route.path) {
      std::fprintf(stderr, "route declared twice: %s %s\n", route.method.c_str(),
                   route.path.c_str());
      std::abort();
    }
  }
  Entry e;
  for (std::string_view s : SplitPath(route.path)) e.segments.emplace_back(s);
  routes_.push_back(std::move(route));
  entries_.push_back(std::move(e));
}

bool Router::MatchPath(const Entry& e, std::string_view path, PathParams* params) {
  // Walks the path in place: no allocation unless a parameter matches.
  size_t i = 0;
  size_t seg = 0;
  for (;;) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i == path.size()) break;
    size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (seg == e.segments.size()) return false;
    const std::string& want = e.segments[seg];
    std::string_view got = path.substr(i, j - i);
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (params != nullptr) params->values.emplace_back(want.substr(1, want.size() - 2), got);
    } else if (want != got) {
      return false;
    }
    ++seg;
    i = j;
  }
  return seg == e.segments.size();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method != want) continue;
    PathParams params;
    if (MatchPath(entries_[i], path, &params)) {
      m.route = &routes_[i];
      m.params = std::move(params);
      return m;
    }
  }
  m.allow = AllowFor(path);
  return m;
}

std::string Router::AllowFor(std::string_view path) const {
  static const char* const kOrder[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  bool has[5] = {};
  bool any = false;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!MatchPath(entries_[i], path, nullptr)) continue;
    for (int k = 0; k < 5; ++k) {
      if (routes_[i].method == kOrder[k]) has[k] = any = true;
    }
  }
  if (!any) return {};
  std::string allow;
  for (int k = 0; k < 5; ++k) {
    if (!has[k]) continue;
    if (!allow.empty()) allow += ", ";
    allow += kOrder[k];
    if (k == 0) allow += ", HEAD";
  }
  allow += ", OPTIONS";
  return allow;
}

}  // namespace cairn::http
