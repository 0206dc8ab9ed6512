#include "server/basic_auth_header.h"

#include <cstdint>

#include "common/ascii.h"

namespace tikv_exporter {
namespace {

// The value of a character of the standard base64 alphabet, or -1.
int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

StatusOr<std::string> DecodeBase64(std::string_view encoded) {
  size_t padding = 0;
  while (padding < encoded.size() && encoded[encoded.size() - 1 - padding] == '=') ++padding;
  // With padding the text comes in whole groups of four, and one or two '=' complete the last.
  if (padding > 2 || (padding > 0 && encoded.size() % 4 != 0)) {
    return Status::InvalidArgument("the credentials' base64 padding is malformed");
  }
  const std::string_view data = encoded.substr(0, encoded.size() - padding);
  std::string decoded;
  decoded.reserve(data.size() / 4 * 3 + 2);
  uint32_t bits = 0;
  int bit_count = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const int value = Base64Value(data[i]);
    if (value < 0) {
      return Status::InvalidArgument(
          "the credentials are not base64 (a byte outside its alphabet at offset " +
          std::to_string(i) + ")");
    }
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      decoded.push_back(static_cast<char>((bits >> bit_count) & 0xff));
    }
  }
  // One character alone carries 6 bits: no byte ends there.
  if (data.size() % 4 == 1) return Status::InvalidArgument("the credentials' base64 text is truncated");
  return decoded;
}

}  // namespace

StatusOr<BasicCredentials> DecodeBasicAuthorization(std::string_view header) {
  if (header.empty()) return Status::InvalidArgument("no Authorization header");
  if (header.size() > kMaxAuthorizationBytes) {
    return Status::InvalidArgument("the Authorization header has " + std::to_string(header.size()) +
                         " bytes, more than " + std::to_string(kMaxAuthorizationBytes));
  }
  constexpr std::string_view kScheme = "Basic";
  if (!StartsWithIgnoringCase(header, kScheme) || header.size() == kScheme.size() ||
      header[kScheme.size()] != ' ') {
    return Status::InvalidArgument("the Authorization scheme is not Basic");
  }
  StatusOr<std::string> decoded = DecodeBase64(TrimAsciiSpace(header.substr(kScheme.size())));
  if (!decoded.ok()) return decoded.status();
  const std::string& text = *decoded;
  if (text.find('\0') != std::string::npos)
    return Status::InvalidArgument("the credentials contain a NUL byte");
  const size_t colon = text.find(':');
  if (colon == std::string::npos)
    return Status::InvalidArgument("the credentials have no ':' between user and password");
  if (colon == 0) return Status::InvalidArgument("the credentials' user name is empty");
  return BasicCredentials{text.substr(0, colon), text.substr(colon + 1)};
}

std::string EncodeBasicAuthorization(std::string_view user_colon_password) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : user_colon_password) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  while ((out.size() - 6) % 4 != 0) out.push_back('=');
  return out;
}

}  // namespace tikv_exporter
