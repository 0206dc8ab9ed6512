#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// HTTP basic auth against bcrypt hashes ([web.basic_auth_users], as in Prometheus'
// exporter-toolkit). Every check runs one bcrypt comparison, also for an unknown user or a
// malformed header, and compares the result in constant time, so a wrong password costs the
// same time as a right one. Immutable after construction; thread-safe.
class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user);

  bool enabled() const { return !users_.empty(); }
  // `authorization` is the request's Authorization header ("" when absent).
  bool Check(std::string_view authorization) const;

 private:
  std::map<std::string, std::string> users_;
  std::string dummy_hash_;  // compared against when the user is unknown
};

// True when `hash` is a bcrypt hash crypt(3) can check ($2a$, $2b$ or $2y$, 60 characters).
bool IsBcryptHash(std::string_view hash);

// A bcrypt hash of `password` with `cost` (4..31), for `tikv-exporter --hash-password`.
StatusOr<std::string> BcryptHash(std::string_view password, int cost);

}  // namespace tikv_exporter
