#include "payments/account_numbers.h"

#include <algorithm>
#include <cctype>

namespace cairn::payments {

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The remainder mod 97 of a string of digits and letters read as ISO 13616
// does (A = 10 … Z = 35), a digit at a time so no length overflows.
int Mod97(std::string_view s) {
  int r = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      r = (r * 10 + (c - '0')) % 97;
    } else {
      int v = c - 'A' + 10;
      r = (r * 100 + v) % 97;
    }
  }
  return r;
}

bool IsValidIban(std::string_view iban, std::string_view country, size_t length) {
  if (iban.size() != length || iban.substr(0, 2) != country) return false;
  if (!AllDigits(iban.substr(2, 2))) return false;
  if (!std::all_of(iban.begin() + 4, iban.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
      })) {
    return false;
  }
  std::string moved(iban.substr(4));
  moved += iban.substr(0, 4);
  return Mod97(moved) == 1;
}

// Domestic numbers whose last two digits are 98 - (rest × 100 mod 97).
bool IsValidMod97Domestic(std::string_view digits, size_t length) {
  if (digits.size() != length || !AllDigits(digits)) return false;
  std::string rest(digits.substr(0, length - 2));
  rest += "00";
  int check = 98 - Mod97(rest);
  return (digits[length - 2] - '0') * 10 + (digits[length - 1] - '0') == check;
}

struct CountryRule {
  std::string_view country;
  size_t iban_length;
  size_t domestic_length;  // 0: IBAN only
};

constexpr CountryRule kRules[] = {
    {"RS", 22, 18}, {"BA", 20, 16}, {"PL", 28, 0}, {"PK", 24, 0}, {"TR", 26, 0},
};

}  // namespace

std::string NormaliseAccountNumber(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == ' ' || c == '-' || c == '.') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string CheckRecipientAccount(std::string_view country, std::string_view n) {
  for (const CountryRule& r : kRules) {
    if (r.country != country) continue;
    if (IsValidIban(n, r.country, r.iban_length)) return {};
    if (r.domestic_length != 0 && IsValidMod97Domestic(n, r.domestic_length)) return {};
    std::string want = "an IBAN of " + std::to_string(r.iban_length) + " characters starting " +
                       std::string(r.country);
    if (r.domestic_length != 0) {
      want += ", or a domestic number of " + std::to_string(r.domestic_length) + " digits";
    }
    return "bankAccount must be " + want + ", with valid check digits";
  }
  return "No account rule for country " + std::string(country);
}

int NorwegianCheckDigit(std::string_view ten) {
  static constexpr int kWeights[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) sum += (ten[i] - '0') * kWeights[i];
  int r = 11 - sum % 11;
  if (r == 11) return 0;
  if (r == 10) return -1;
  return r;
}

bool IsValidNorwegianAccount(std::string_view raw) {
  std::string digits;
  for (char c : raw) {
    if (c != '.') digits.push_back(c);
  }
  if (digits.size() != 11 || !AllDigits(digits)) return false;
  return NorwegianCheckDigit(std::string_view(digits).substr(0, 10)) == digits[10] - '0';
}

std::string MaskAccountNumber(std::string_view n) {
  if (n.size() <= 4) return std::string(n);
  return "*****" + std::string(n.substr(n.size() - 4));
}

}  // namespace cairn::payments
