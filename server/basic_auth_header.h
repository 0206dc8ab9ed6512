#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// A longer Authorization header is refused before it is decoded: real Basic credentials are a few
// dozen bytes, and the header is hashed for the auth caches on every request.
constexpr size_t kMaxAuthorizationBytes = 4096;

// The user and password carried by an HTTP Basic Authorization header (RFC 7617).
struct BasicCredentials {
  std::string user;
  std::string password;
};

// Decodes the value of a request's Authorization header ("" when the request has none): the
// scheme "Basic" in any case, one or more spaces, then standard base64 (RFC 4648 alphabet; '='
// padding optional, but only at the end and only as much as the length needs) that decodes to
// "user:password", split at the first colon.
// An error, naming the part that is wrong, when the header holds no usable credentials: absent,
// longer than kMaxAuthorizationBytes, another scheme, bad base64, no colon, an empty user, or a
// NUL byte anywhere (crypt(3) stops reading a password at NUL, so "pass\0junk" would pass as
// "pass"). Such a header is refused without a bcrypt comparison.
// A pure function of `header`: no state, safe from any thread.
StatusOr<BasicCredentials> DecodeBasicAuthorization(std::string_view header);

// The header value a client sends for `user_colon_password` ("Basic " and its padded base64),
// taken as given, so that tests and the fuzzer can also build headers the decoder must refuse.
std::string EncodeBasicAuthorization(std::string_view user_colon_password);

}  // namespace tikv_exporter
