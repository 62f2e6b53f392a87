#include "payments/account_numbers.h"

#include <doctest/doctest.h>

#include <string>

#include "payments/sandbox_bank.h"

namespace cairn::payments {
namespace {

std::string Check(const char* country, const char* raw) {
  return CheckRecipientAccount(country, NormaliseAccountNumber(raw));
}

TEST_CASE("each corridor's IBANs and domestic numbers pass with valid check digits") {
  // The IBAN registry's examples, and the domestic numbers inside RS's and BA's.
  CHECK(Check("RS", "RS35260005601001611379") == "");
  CHECK(Check("RS", "rs35 2600 0560 1001 6113 79") == "");  // spaces, lower case
  CHECK(Check("RS", "260-0056010016113-79") == "");         // domestic, 18 digits
  CHECK(Check("BA", "BA391290079401028494") == "");
  CHECK(Check("BA", "1290079401028494") == "");             // domestic, 16 digits
  CHECK(Check("PL", "PL61109010140000071219812874") == "");
  CHECK(Check("PK", "PK36SCBL0000001123456702") == "");
  CHECK(Check("TR", "TR330006100519786457841326") == "");
}

TEST_CASE("a wrong check digit, length, country prefix or character is refused") {
  CHECK(Check("RS", "RS35260005601001611378") != "");  // last digit changed
  CHECK(Check("RS", "RS3526000560100161137") != "");   // one short
  CHECK(Check("RS", "260-0056010016113-78") != "");    // domestic check wrong
  CHECK(Check("BA", "RS35260005601001611379") != "");  // another country's IBAN
  CHECK(Check("PL", "109010140000071219812874") != ""); // no IBAN prefix: PL has no domestic form here
  CHECK(Check("PK", "PK36SCBL000000112345670!") != "");
  CHECK(Check("TR", "") != "");
  CHECK(Check("NO", "86011117947") != "");             // not a corridor
  CHECK(Check("BA", "BA39129007940102849") != "");
}

TEST_CASE("Norwegian account numbers carry a MOD11 check digit") {
  CHECK(IsValidNorwegianAccount("8601.11.17947"));
  CHECK(IsValidNorwegianAccount("86011117947"));
  CHECK_FALSE(IsValidNorwegianAccount("8601.11.17948"));
  CHECK_FALSE(IsValidNorwegianAccount("8601.11.1794"));
  CHECK_FALSE(IsValidNorwegianAccount("8601.11.1794a"));
  // Every number the sandbox bank makes is valid.
  for (int i = 0; i < 200; ++i) {
    std::string n = SandboxBank::NewAccountNumber();
    INFO(n);
    CHECK(n.size() == 13);
    CHECK(IsValidNorwegianAccount(n));
  }
}

TEST_CASE("masked numbers show only the last four characters") {
  CHECK(MaskAccountNumber("RS35260005601001611379") == "*****1379");
  CHECK(MaskAccountNumber("1234") == "1234");
}

}  // namespace
}  // namespace cairn::payments
