#pragma once

// JSON at the edge: parsing request bodies under the API's limits, and the
// small writing helpers the hot paths use instead of building picojson trees.
//
// picojson parses recursively, so a hostile body of 100k '[' would overflow
// the stack. ParseObject first measures nesting with a flat scan (no
// recursion) and only hands bodies within kMaxJsonDepth to picojson.

#include <picojson.h>

#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn::json {

inline constexpr int kMaxJsonDepth = 32;

// Deepest nesting of arrays and objects in text, counted without recursion
// and ignoring brackets inside strings. Stops counting (returning a value
// > limit) as soon as limit is exceeded.
int NestingDepth(std::string_view text, int limit = kMaxJsonDepth);

// Characters in well-formed UTF-8 text: the bytes that start one. Length
// limits on text fields count these, not bytes.
size_t CodePoints(std::string_view s);

// True if s is well-formed UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF), as RFC 8259 requires of JSON text.
bool IsValidUtf8(std::string_view s);

// Parses text as one JSON value whose top level is an object.
// InvalidArgument for malformed JSON, invalid UTF-8, a number beyond a
// double's range, trailing garbage, nesting deeper than kMaxJsonDepth, or a
// non-object top level. Duplicate keys: the last one wins.
Result<picojson::object> ParseObject(std::string_view text);

// Appends s to out as a quoted JSON string (control characters escaped; bytes
// >= 0x80 copied as they are, so UTF-8 passes through).
void AppendString(std::string& out, std::string_view s);

// Quoted JSON string.
std::string Quote(std::string_view s);

// Appends v's compact JSON text (what Serialize returns) to out.
void Append(std::string& out, const picojson::value& v);

// Compact JSON text of v. Unlike picojson's serialize(), '/' is not escaped,
// so paths and URLs read as written. Numbers: int64 exactly, doubles in the
// shortest form that reads back as the same double (1.1, 1e+21).
std::string Serialize(const picojson::value& v);

}  // namespace cairn::json
