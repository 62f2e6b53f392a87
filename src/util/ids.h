#pragma once

// Resource identifiers: a type prefix, an underscore and 16 lowercase hex
// characters from the OS's CSPRNG (libsodium), e.g. "req_9f2c0d1e4b7a3c55".
// 64 random bits: never sequential, never guessable. Thread-safe once
// sodium_init() has run (main does it first).

#include <cstdint>
#include <string>
#include <string_view>

#include "util/keyed_permutation.h"

namespace cairn {

std::string NewId(std::string_view prefix);

// The id of the n-th item of a counted series (events by seq): the same
// shape, from a keyed permutation of n (util/keyed_permutation.h), so ids of
// one key never collide and still reveal neither order nor count.
std::string IdFromCounter(std::string_view prefix, const PermutationKey& key, uint64_t n);
// The n an IdFromCounter id of this prefix was made from; false when id is
// not "<prefix>_<16 lowercase hex>".
bool CounterFromId(std::string_view prefix, const PermutationKey& key, std::string_view id,
                   uint64_t* n);

// True for "<lowercase letters and underscores>_<16 lowercase hex>", the shape
// every id has (prefixes such as "tx_rem" contain an underscore themselves).
bool IsWellFormedId(std::string_view id);

// Lowercase hex of n random bytes.
std::string RandomHex(size_t n_bytes);

// A bearer secret: 256 random bits as base64url (43 characters). Refresh
// tokens, reset tokens and API keys are made of it.
std::string RandomToken();

}  // namespace cairn
