#include "http/user_json.h"

#include <chrono>

#include "util/clock.h"

namespace cairn::http {

namespace {

// The properties both views share; the admin view adds status and updatedAt.
constexpr char kUserProperties[] = R"(
    "id": {"type": "string", "pattern": "^usr_[a-f0-9]{16}$"},
    "email": {"type": "string", "format": "email"},
    "firstName": {"type": "string"},
    "lastName": {"type": "string"},
    "phone": {"type": "string"},
    "dateOfBirth": {"type": "string", "format": "date"},
    "role": {"enum": ["user", "merchant", "admin"]},
    "kycStatus": {"enum": ["pending", "approved", "rejected"]},
    "createdAt": {"type": "string", "format": "date-time"})";
constexpr char kUserRequired[] =
    R"("id", "email", "firstName", "lastName", "dateOfBirth", "role", "kycStatus", "createdAt")";

}  // namespace

const std::string kUserSchema = std::string(R"({"type": "object", "required": [)") + kUserRequired +
                                R"(], "properties": {)" + kUserProperties + "}}";

const std::string kAdminUserSchema =
    std::string(R"({"type": "object", "required": [)") + kUserRequired +
    R"(, "status", "updatedAt"], "properties": {)" + kUserProperties +
    R"(, "status": {"enum": ["active", "deleted"]},
    "updatedAt": {"type": "string", "format": "date-time"}}})";

picojson::value TimeJson(int64_t unix_seconds) {
  return picojson::value(FormatIso8601(TimePoint(std::chrono::seconds(unix_seconds))));
}

picojson::value UserJson(const store::UserRow& u) {
  picojson::object o;
  o["id"] = picojson::value(u.id);
  o["email"] = picojson::value(u.email);
  o["firstName"] = picojson::value(u.first_name);
  o["lastName"] = picojson::value(u.last_name);
  if (!u.phone.empty()) o["phone"] = picojson::value(u.phone);
  o["dateOfBirth"] = picojson::value(u.date_of_birth);
  o["role"] = picojson::value(u.role);
  o["kycStatus"] = picojson::value(u.kyc_status);
  o["createdAt"] = TimeJson(u.created_at);
  return picojson::value(o);
}

picojson::value AdminUserJson(const store::UserRow& u) {
  picojson::value v = UserJson(u);
  picojson::object& o = v.get<picojson::object>();
  o["status"] = picojson::value(u.status);
  o["updatedAt"] = TimeJson(u.updated_at);
  return v;
}

}  // namespace cairn::http
