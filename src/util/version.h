#pragma once

namespace cairn {

// The release version, shown by --version, /health and the OpenAPI document.
inline constexpr const char kVersion[] = "0.1.0";

}  // namespace cairn
