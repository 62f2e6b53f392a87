#pragma once

// Files compiled into the binary by scripts/embed.cpp (build/gen/embedded.cpp):
// the SQL migrations from sql/ and the web assets from static/. The binary
// needs nothing beside it at run time.

#include <span>
#include <string_view>

namespace cairn::embedded {

struct File {
  std::string_view name;  // path relative to its folder, e.g. "0001_init.sql"
  std::string_view data;
};

// Sorted by name.
std::span<const File> Migrations();
std::span<const File> StaticFiles();

}  // namespace cairn::embedded
