#pragma once

// A keyed pseudorandom permutation of 64-bit integers, for ids that must be
// unique without an index to check them against: id = Permute(key, n) for a
// counter n. Distinct counters give distinct ids (it is a bijection), and
// without the key neither the next id nor the counter can be read from the
// ids a client sees, so such ids are neither sequential nor guessable.
//
// An eight-round balanced Feistel network on two 32-bit halves whose round
// function is SipHash-2-4 (libsodium's crypto_shorthash) of the round number
// and one half. Four rounds of a pseudorandom function already make a strong
// pseudorandom permutation (Luby-Rackoff); the other four buy margin for the
// small 32-bit halves. This hides ids, it does not encrypt secrets.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace cairn {

using PermutationKey = std::array<unsigned char, 16>;

uint64_t Permute(const PermutationKey& key, uint64_t n);
// The inverse: Unpermute(key, Permute(key, n)) == n. Turns an id a client
// hands back (an event stream's Last-Event-ID) into its counter.
uint64_t Unpermute(const PermutationKey& key, uint64_t v);

// The key from 32 hex characters, as stored; nullopt for anything else.
std::optional<PermutationKey> PermutationKeyFromHex(std::string_view hex);

}  // namespace cairn
