#include "auth/account_rules.h"

#include <vector>

#include "auth/password.h"
#include "util/json.h"

namespace cairn::auth {

namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// A domain of dot-separated labels of letters, digits and inner hyphens,
// ending in a top-level label of at least two letters.
bool IsValidDomain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  size_t start = 0;
  std::string_view last;
  int labels = 0;
  while (start <= d.size()) {
    size_t dot = d.find('.', start);
    if (dot == std::string_view::npos) dot = d.size();
    std::string_view label = d.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!IsAsciiLetter(c) && !IsDigit(c) && c != '-') return false;
    }
    last = label;
    ++labels;
    start = dot + 1;
    if (dot == d.size()) break;
  }
  if (labels < 2 || last.size() < 2) return false;
  for (char c : last) {
    if (!IsAsciiLetter(c)) return false;
  }
  return true;
}

// Reads body[key] as a string. Absent or null: *present false. Another type:
// an invalid_type error.
bool ReadString(const picojson::object& body, const char* key, std::string* out, bool* present,
                std::vector<FieldError>* errors) {
  *present = false;
  auto it = body.find(key);
  if (it == body.end() || it->second.is<picojson::null>()) return true;
  if (!it->second.is<std::string>()) {
    errors->push_back({key, std::string(key) + " must be a string", "invalid_type"});
    return false;
  }
  *present = true;
  *out = it->second.get<std::string>();
  return true;
}

}  // namespace

std::string NormaliseEmail(std::string_view email) {
  std::string out = Trim(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

FieldCheck CheckEmail(std::string_view email) {
  if (email.size() > kMaxEmailBytes) return {"too_long", "Email must be at most 254 characters"};
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return {"invalid_format", "Invalid email format"};
  }
  std::string_view local = email.substr(0, at);
  if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return {"invalid_format", "Invalid email format"};
  }
  static const std::string_view kLocalExtra = "!#$%&'*+/=?^_`{|}~.-";
  for (char c : local) {
    if (!IsAsciiLetter(c) && !IsDigit(c) && kLocalExtra.find(c) == std::string_view::npos) {
      return {"invalid_format", "Invalid email format"};
    }
  }
  if (!IsValidDomain(email.substr(at + 1))) return {"invalid_format", "Invalid email format"};
  return {};
}

FieldCheck CheckName(std::string_view name) {
  size_t n = json::CodePoints(name);
  if (n == 0) return {"required", "Must not be empty"};
  if (n > kMaxNameChars) return {"too_long", "Must be at most 100 characters"};
  bool letter = false;
  for (char ch : name) {
    unsigned char c = static_cast<unsigned char>(ch);
    // Markup and control characters have no place in a name.
    if (c == '<' || c == '>' || c < 0x20 || c == 0x7f) {
      return {"invalid_format", "Must not contain markup or control characters"};
    }
    letter = letter || IsAsciiLetter(ch) || c >= 0x80;
  }
  if (!letter) return {"invalid_format", "Must contain a letter"};
  return {};
}

FieldCheck CheckPhone(std::string_view phone) {
  if (phone.size() < 9 || phone.size() > 16 || phone[0] != '+') {
    return {"invalid_format", "Phone must be + followed by 8 to 15 digits"};
  }
  for (char c : phone.substr(1)) {
    if (!IsDigit(c)) return {"invalid_format", "Phone must be + followed by 8 to 15 digits"};
  }
  return {};
}

FieldCheck CheckDateOfBirth(std::string_view date, TimePoint now) {
  TimePoint born;
  if (!ParseIsoDate(std::string(date), &born)) {
    return {"invalid_format", "Date of birth must be a date like 1990-04-30"};
  }
  if (born > now) return {"invalid_format", "Date of birth is in the future"};
  // Compare calendar dates: 18 years after the birthday, in UTC.
  std::string today = FormatIso8601(now).substr(0, 10);
  int years = std::stoi(today.substr(0, 4)) - std::stoi(std::string(date.substr(0, 4)));
  if (today.substr(5) < date.substr(5)) --years;
  if (years < kMinimumAge) return {"too_young", "You must be at least 18 years old"};
  if (years > 130) return {"invalid_format", "Date of birth is not plausible"};
  return {};
}

Result<NewAccount> ReadNewAccount(const picojson::object& body, TimePoint now) {
  std::vector<FieldError> errors;
  NewAccount a;
  auto required = [&](const char* key, std::string* out) -> bool {
    bool present = false;
    if (!ReadString(body, key, out, &present, &errors)) return false;
    if (!present) errors.push_back({key, std::string(key) + " is required", "required"});
    return present;
  };
  auto check = [&](const char* key, const FieldCheck& c) {
    if (!c.ok()) errors.push_back({key, c.message, c.code});
  };

  if (required("email", &a.email)) {
    a.email = NormaliseEmail(a.email);
    check("email", CheckEmail(a.email));
  }
  if (required("password", &a.password)) {
    Status policy = CheckPasswordPolicy(a.password);
    if (!policy.ok()) errors.push_back(policy.details()[0]);
  }
  if (required("firstName", &a.first_name)) {
    a.first_name = Trim(a.first_name);
    check("firstName", CheckName(a.first_name));
  }
  if (required("lastName", &a.last_name)) {
    a.last_name = Trim(a.last_name);
    check("lastName", CheckName(a.last_name));
  }
  bool has_phone = false;
  if (ReadString(body, "phone", &a.phone, &has_phone, &errors) && has_phone) {
    check("phone", CheckPhone(a.phone));
  }
  if (required("dateOfBirth", &a.date_of_birth)) {
    check("dateOfBirth", CheckDateOfBirth(a.date_of_birth, now));
  }
  if (!errors.empty()) return Status::Validation("Request validation failed", std::move(errors));
  return a;
}

Result<UserPatch> ReadUserPatch(const picojson::object& body, Editor editor) {
  if (editor == Editor::kOwner && (body.count("role") != 0 || body.count("kycStatus") != 0)) {
    return Status::PermissionDenied("Only an admin can change role or kycStatus");
  }
  std::vector<FieldError> errors;
  for (const char* key : {"email", "password", "dateOfBirth"}) {
    if (body.count(key) != 0) {
      errors.push_back({key, std::string(key) + " cannot be changed here", "read_only"});
    }
  }
  UserPatch patch;
  auto name = [&](const char* key, std::optional<std::string>* out) {
    std::string value;
    bool present = false;
    if (!ReadString(body, key, &value, &present, &errors) || !present) {
      if (body.count(key) != 0 && body.at(key).is<picojson::null>()) {
        errors.push_back({key, std::string(key) + " cannot be removed", "required"});
      }
      return;
    }
    value = Trim(value);
    FieldCheck c = CheckName(value);
    if (!c.ok()) {
      errors.push_back({key, c.message, c.code});
    } else {
      *out = std::move(value);
    }
  };
  name("firstName", &patch.first_name);
  name("lastName", &patch.last_name);

  if (auto it = body.find("phone"); it != body.end()) {
    std::string value;
    bool present = false;
    if (it->second.is<picojson::null>()) {
      patch.phone = "";
    } else if (ReadString(body, "phone", &value, &present, &errors)) {
      FieldCheck c = CheckPhone(value);
      if (!c.ok()) {
        errors.push_back({"phone", c.message, c.code});
      } else {
        patch.phone = std::move(value);
      }
    }
  }
  auto one_of = [&](const char* key, std::initializer_list<const char*> allowed,
                    std::optional<std::string>* out) {
    auto it = body.find(key);
    if (it == body.end()) return;
    if (it->second.is<std::string>()) {
      for (const char* a : allowed) {
        if (it->second.get<std::string>() == a) {
          *out = a;
          return;
        }
      }
    }
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    errors.push_back({key, std::string(key) + " must be one of " + list, "invalid_value"});
  };
  if (editor == Editor::kAdmin) {
    one_of("role", {"user", "merchant", "admin"}, &patch.role);
    one_of("kycStatus", {"pending", "approved", "rejected"}, &patch.kyc_status);
  }
  if (!errors.empty()) return Status::Validation("Request validation failed", std::move(errors));
  return patch;
}

}  // namespace cairn::auth
