#include "auth/account_rules.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace cairn::auth {
namespace {

// 2026-06-15T12:00:00Z
const TimePoint kNow = TimePoint(std::chrono::seconds(1781524800));

picojson::object Body(const std::string& json) {
  picojson::value v;
  REQUIRE(picojson::parse(v, json).empty());
  return v.get<picojson::object>();
}

const char kGood[] =
    R"({"email":"  Ada.Lovelace@Example.COM ","password":"Passw0rd","firstName":" Ada ",)"
    R"("lastName":"Lovelace","phone":"+4712345678","dateOfBirth":"1990-04-30",)"
    R"("role":"admin","unknown":1})";

TEST_CASE("a good registration is read, normalised, and role is never taken from it") {
  REQUIRE(FormatIso8601(kNow) == "2026-06-15T12:00:00Z");
  Result<NewAccount> r = ReadNewAccount(Body(kGood), kNow);
  REQUIRE(r.ok());
  CHECK(r->email == "ada.lovelace@example.com");
  CHECK(r->first_name == "Ada");
  CHECK(r->last_name == "Lovelace");
  CHECK(r->phone == "+4712345678");
  CHECK(r->date_of_birth == "1990-04-30");
}

TEST_CASE("every failing field is reported at once with its code") {
  Result<NewAccount> r = ReadNewAccount(
      Body(R"({"email":"nope","password":"short","firstName":"<b>x</b>","lastName":"",)"
           R"("phone":"12345","dateOfBirth":"2020-01-01"})"),
      kNow);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kValidation);
  std::vector<std::string> got;
  for (const FieldError& f : r.status().details()) got.push_back(f.field + ":" + f.code);
  CHECK(got == std::vector<std::string>{"email:invalid_format", "password:too_short",
                                        "firstName:invalid_format", "lastName:required",
                                        "phone:invalid_format", "dateOfBirth:too_young"});
}

TEST_CASE("missing and wrongly typed fields are required and invalid_type") {
  Result<NewAccount> r = ReadNewAccount(
      Body(R"({"email":42,"password":null,"firstName":["Ada"],"phone":123})"), kNow);
  REQUIRE_FALSE(r.ok());
  std::vector<std::string> got;
  for (const FieldError& f : r.status().details()) got.push_back(f.field + ":" + f.code);
  CHECK(got == std::vector<std::string>{"email:invalid_type", "password:required",
                                        "firstName:invalid_type", "lastName:required",
                                        "phone:invalid_type", "dateOfBirth:required"});
}

TEST_CASE("emails are checked for shape and length") {
  for (const char* good : {"a@b.co", "first.last+tag@sub.example.org", "x_y-z@a-b.example",
                           "o'neil@example.ie", "1@2.xn"}) {
    CAPTURE(good);
    CHECK(CheckEmail(good).ok());
  }
  std::string long_local = std::string(65, 'a') + "@example.com";
  std::string too_long = std::string(64, 'a') + "@" + std::string(190, 'b') + ".com";
  for (const std::string& bad :
       {std::string(""), std::string("plain"), std::string("@example.com"),
        std::string("a@"), std::string("a@b"), std::string("a@b.c"), std::string("a@@b.com"),
        std::string("a@b@c.com"), std::string(".a@b.com"), std::string("a.@b.com"),
        std::string("a..b@c.com"), std::string("a b@c.com"), std::string("a@-b.com"),
        std::string("a@b-.com"), std::string("a@b..com"), std::string("a@b.c0m"),
        std::string("<a>@b.com"), std::string("a@b.com\n"), long_local, too_long}) {
    CAPTURE(bad);
    CHECK_FALSE(CheckEmail(bad).ok());
  }
}

TEST_CASE("names need a letter, at most 100 characters, and no markup") {
  for (const char* good : {"Ada", "O'Neil", "Jean-Luc", "Zoë", "李", "Mary Ann 2nd"}) {
    CAPTURE(good);
    CHECK(CheckName(good).ok());
  }
  CHECK(CheckName(std::string(100, 'a')).ok());
  CHECK(CheckName(std::string(101, 'a')).code == "too_long");
  CHECK(CheckName("").code == "required");
  for (const char* bad : {"123", "---", "<script>alert(1)</script>", "a>b", "tab\there"}) {
    CAPTURE(bad);
    CHECK(CheckName(bad).code == "invalid_format");
  }
}

TEST_CASE("phones are + and 8 to 15 digits") {
  CHECK(CheckPhone("+12345678").ok());
  CHECK(CheckPhone("+123456789012345").ok());
  for (const char* bad : {"+1234567", "+1234567890123456", "12345678", "+47 1234 5678",
                          "+47-12345678", "+", "", "++12345678"}) {
    CAPTURE(bad);
    CHECK_FALSE(CheckPhone(bad).ok());
  }
}

TEST_CASE("the date of birth must be a real date at least 18 years back") {
  CHECK(CheckDateOfBirth("2008-06-15", kNow).ok());  // 18 today
  CHECK(CheckDateOfBirth("2008-06-16", kNow).code == "too_young");
  CHECK(CheckDateOfBirth("1990-04-30", kNow).ok());
  CHECK(CheckDateOfBirth("2030-01-01", kNow).code == "invalid_format");
  CHECK(CheckDateOfBirth("1890-01-01", kNow).code == "invalid_format");
  for (const char* bad : {"1990-02-30", "1990-13-01", "30.04.1990", "1990-4-30", "",
                          "1990-04-30T00:00:00Z"}) {
    CAPTURE(bad);
    CHECK(CheckDateOfBirth(bad, kNow).code == "invalid_format");
  }
  // Born on 29 February: eighteen on 1 March in a common year.
  const TimePoint feb28 = TimePoint(std::chrono::seconds(1772236800));  // 2026-02-28
  REQUIRE(FormatIso8601(feb28).substr(0, 10) == "2026-02-28");
  CHECK(CheckDateOfBirth("2008-02-29", feb28).code == "too_young");
  CHECK(CheckDateOfBirth("2008-02-29", feb28 + std::chrono::hours(24)).ok());
}

}  // namespace
}  // namespace cairn::auth
