#pragma once

// Bank account numbers: the checks each country's numbers carry, and the
// masked form shown after creation.
//
// Recipients (API.md §9) are in RS, BA, PL, PK and TR. Every one of those
// countries uses IBAN (ISO 13616: country code, two check digits making the
// whole number ≡ 1 mod 97, then the national number), with lengths RS 22,
// BA 20, PL 28, PK 24, TR 26. Serbia and Bosnia also write domestic numbers
// without the IBAN prefix (RS 18 digits, BA 16), whose last two digits are an
// ISO 7064 MOD 97-10 check over the rest; those are accepted too. Norwegian
// accounts (the payer's, a merchant's payout account) are 11 digits whose
// last is a MOD11 check digit, often written 1234.56.78901.

#include <string>
#include <string_view>

namespace cairn::payments {

// Spaces, dots and dashes removed, letters upper-cased: the stored form.
std::string NormaliseAccountNumber(std::string_view raw);

// Empty when `normalised` is a valid account number for `country` (one of
// the recipient countries), else what is wrong, for the client.
std::string CheckRecipientAccount(std::string_view country, std::string_view normalised);

// True for 11 digits (dots allowed as 4.2.5) with a valid MOD11 check digit.
bool IsValidNorwegianAccount(std::string_view raw);
// The MOD11 check digit of ten digits, or -1 when the rule leaves none.
int NorwegianCheckDigit(std::string_view ten_digits);

// "*****5678": the last four characters, the rest hidden.
std::string MaskAccountNumber(std::string_view normalised);

}  // namespace cairn::payments
