#pragma once

// The key that signs access tokens. Given by JWT_SECRET, or generated on first
// start and kept in a file beside the database (<db>.secret, mode 0600) so a
// restart does not log every user out.

#include <string>

#include "util/status.h"

namespace cairn::auth {

// Reads the secret from path, or creates it there with 32 random bytes (hex)
// when absent. FailedPrecondition if the file is readable by group or others
// or shorter than 32 bytes; Unavailable if it cannot be read or written.
Result<std::string> LoadOrCreateSecret(const std::string& path);

// "<database path>.secret"
std::string SecretPathFor(const std::string& database_path);

}  // namespace cairn::auth
