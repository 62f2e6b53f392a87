#include "http/fields.h"

#include "payments/money.h"

namespace cairn::http {

const picojson::value* FieldReader::Find(const char* key) const {
  auto it = body_.find(key);
  if (it == body_.end() || it->second.is<picojson::null>()) return nullptr;
  return &it->second;
}

std::string FieldReader::String(const char* key) {
  const picojson::value* v = Find(key);
  if (v == nullptr) {
    Add({key, std::string(key) + " is required", "required"});
    return {};
  }
  return OptionalString(key);
}

std::string FieldReader::OptionalString(const char* key, std::string fallback) {
  const picojson::value* v = Find(key);
  if (v == nullptr) return fallback;
  if (!v->is<std::string>()) {
    Add({key, std::string(key) + " must be a string", "invalid_type"});
    return fallback;
  }
  return v->get<std::string>();
}

int64_t FieldReader::Amount(const char* key, bool required, int64_t fallback) {
  const picojson::value* v = Find(key);
  if (v == nullptr) {
    if (required) Add({key, std::string(key) + " is required", "required"});
    return fallback;
  }
  int64_t minor = 0;
  switch (payments::ParseAmount(*v, &minor)) {
    case payments::AmountError::kNone:
      return minor;
    case payments::AmountError::kNotANumber:
      Add({key, std::string(key) + " must be a number", "invalid_type"});
      break;
    case payments::AmountError::kTooPrecise:
      Add({key, std::string(key) + " has at most 2 decimals", "too_precise"});
      break;
    case payments::AmountError::kOutOfRange:
      Add({key, std::string(key) + " is out of range", "out_of_range"});
      break;
  }
  return fallback;
}

bool FieldReader::Bool(const char* key, bool required, bool fallback) {
  const picojson::value* v = Find(key);
  if (v == nullptr) {
    if (required) Add({key, std::string(key) + " is required", "required"});
    return fallback;
  }
  if (!v->is<bool>()) {
    Add({key, std::string(key) + " must be true or false", "invalid_type"});
    return fallback;
  }
  return v->get<bool>();
}

std::vector<std::string> FieldReader::StringList(const char* key, size_t max_items) {
  const picojson::value* v = Find(key);
  if (v == nullptr) {
    Add({key, std::string(key) + " is required", "required"});
    return {};
  }
  if (!v->is<picojson::array>()) {
    Add({key, std::string(key) + " must be an array of strings", "invalid_type"});
    return {};
  }
  const picojson::array& items = v->get<picojson::array>();
  if (items.size() > max_items) {
    Add({key, std::string(key) + " holds at most " + std::to_string(max_items) + " items",
         "too_many"});
    return {};
  }
  std::vector<std::string> out;
  for (const picojson::value& item : items) {
    if (!item.is<std::string>()) {
      Add({key, std::string(key) + " must be an array of strings", "invalid_type"});
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Status FieldReader::Finish() {
  if (errors_.empty()) return Status::Ok();
  return Status::Validation("Request validation failed", std::move(errors_));
}

}  // namespace cairn::http
