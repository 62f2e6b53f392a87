#pragma once

// The rules a new account's fields must meet (API.md §5, the Drop register
// table), read from a request body. Every failing field is reported at once,
// each with a message and a machine-readable code, so a form can mark them
// all. Unknown fields are ignored; "role" is never read from a body.

#include <picojson.h>

#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

inline constexpr size_t kMaxEmailBytes = 254;
inline constexpr size_t kMaxNameChars = 100;
inline constexpr int kMinimumAge = 18;

struct NewAccount {
  std::string email;  // lowercased
  std::string password;
  std::string first_name;  // trimmed
  std::string last_name;
  std::string phone;          // empty when not given
  std::string date_of_birth;  // YYYY-MM-DD
};

// Reads and checks a register body. Validation with one FieldError per
// failing field (codes: required, invalid_type, invalid_format, too_short,
// too_long, weak_password, too_young).
Result<NewAccount> ReadNewAccount(const picojson::object& body, TimePoint now);

// A change to an existing account. Absent fields stay as they are; phone
// null removes the phone.
struct UserPatch {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> phone;  // "" removes it
  std::optional<std::string> role;
  std::optional<std::string> kyc_status;
};

// Who is editing: the account's owner may change names and phone; an admin
// may also change role and kycStatus. Email, password and dateOfBirth are
// not editable here (codes read_only); role or kycStatus from the owner is
// PermissionDenied, so an escalation attempt is refused, not ignored.
enum class Editor { kOwner, kAdmin };
Result<UserPatch> ReadUserPatch(const picojson::object& body, Editor editor);

// The single-field checks, for other routes that take the same fields.
// Each returns an empty code when the value is fine.
struct FieldCheck {
  std::string code;
  std::string message;
  bool ok() const { return code.empty(); }
};
FieldCheck CheckEmail(std::string_view email);
FieldCheck CheckName(std::string_view name);
FieldCheck CheckPhone(std::string_view phone);
FieldCheck CheckDateOfBirth(std::string_view date, TimePoint now);

// Lowercased email, as stored and compared.
std::string NormaliseEmail(std::string_view email);

}  // namespace cairn::auth
