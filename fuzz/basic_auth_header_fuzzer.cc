// libFuzzer target: the Authorization header decoder, which reads bytes any client sends before
// it is authenticated. Beyond not crashing, what it accepts must hold: a non-empty user without
// ':' or NUL, a password without NUL, and the same credentials again when re-encoded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/basic_auth_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tikv_exporter::BasicCredentials;
  using tikv_exporter::DecodeBasicAuthorization;
  using tikv_exporter::StatusOr;
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  StatusOr<BasicCredentials> decoded = DecodeBasicAuthorization(header);
  if (!decoded.ok()) {
    if (decoded.status().message().empty()) __builtin_trap();  // every refusal says why
    return 0;
  }
  const BasicCredentials& credentials = *decoded;
  if (size > tikv_exporter::kMaxAuthorizationBytes) __builtin_trap();
  if (credentials.user.empty() || credentials.user.find(':') != std::string::npos) __builtin_trap();
  if (credentials.user.find('\0') != std::string::npos ||
      credentials.password.find('\0') != std::string::npos) {
    __builtin_trap();
  }
  StatusOr<BasicCredentials> again =
      DecodeBasicAuthorization(tikv_exporter::EncodeBasicAuthorization(credentials.user + ":" + credentials.password));
  if (!again.ok() || again->user != credentials.user || again->password != credentials.password)
    __builtin_trap();
  return 0;
}
