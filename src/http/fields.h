#pragma once

// Reading a JSON body's fields, collecting one FieldError per bad field so
// that a request with several problems is told all of them at once (422 with
// details, API.md §3). Amounts go through payments::ParseAmount: at most two
// decimals, never rounded.

#include <picojson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cairn::http {

class FieldReader {
 public:
  explicit FieldReader(const picojson::object& body) : body_(body) {}

  // A string field; "required" when absent or null, "invalid_type" when not
  // a string.
  std::string String(const char* key);
  // The same, but `fallback` when absent or null.
  std::string OptionalString(const char* key, std::string fallback = {});
  // An amount in minor units; `fallback` when absent and not required.
  int64_t Amount(const char* key, bool required, int64_t fallback = 0);
  // A boolean; `fallback` when absent and not required.
  bool Bool(const char* key, bool required, bool fallback = false);
  // An array of strings; "required" when absent or null, "invalid_type"
  // when not an array of strings, "too_many" past max_items.
  std::vector<std::string> StringList(const char* key, size_t max_items);
  // True when the body has the key with a value other than null (null is
  // the field left out).
  bool Has(const char* key) const { return Find(key) != nullptr; }

  void Add(FieldError e) { errors_.push_back(std::move(e)); }
  // OK, or Validation with every error collected.
  Status Finish();

 private:
  const picojson::value* Find(const char* key) const;

  const picojson::object& body_;
  std::vector<FieldError> errors_;
};

}  // namespace cairn::http
