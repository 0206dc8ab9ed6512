#include "server/basic_auth.h"

#include <crypt.h>

#include <array>
#include <fstream>
#include <memory>

namespace tikv_exporter {
namespace {

// "user:password" from "Basic <base64>"; empty strings when the header is malformed.
std::pair<std::string, std::string> DecodeBasic(std::string_view header) {
  constexpr std::string_view kPrefix = "Basic ";
  if (!header.starts_with(kPrefix)) return {};
  header.remove_prefix(kPrefix.size());
  std::string decoded;
  uint32_t bits = 0;
  int bit_count = 0;
  for (char c : header) {
    int value;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    else if (c >= '0' && c <= '9') value = c - '0' + 52;
    else if (c == '+') value = 62;
    else if (c == '/') value = 63;
    else if (c == '=') break;
    else return {};
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      decoded.push_back(static_cast<char>((bits >> bit_count) & 0xff));
    }
  }
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return {};
  return {decoded.substr(0, colon), decoded.substr(colon + 1)};
}

// crypt(3) of `password` with the salt and cost taken from `hash`; "" on failure.
std::string Crypt(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
  const char* result = crypt_r(password.c_str(), hash.c_str(), data.get());
  return result != nullptr && result[0] != '*' ? std::string(result) : std::string();
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::string& longer = a.size() >= b.size() ? a : b;
  const std::string& other = &longer == &a ? b : a;
  for (size_t i = 0; i < longer.size(); ++i) {
    const unsigned char x = static_cast<unsigned char>(longer[i]);
    const unsigned char y = i < other.size() ? static_cast<unsigned char>(other[i]) : 0;
    difference |= static_cast<unsigned char>(x ^ y);
  }
  return difference == 0;
}

}  // namespace

BasicAuth::BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user) : users_(std::move(bcrypt_hash_by_user)) {
  // The dummy costs what the configured hashes cost, so an unknown user is not faster.
  int cost = 10;
  if (!users_.empty()) cost = std::stoi(users_.begin()->second.substr(4, 2));
  StatusOr<std::string> dummy = BcryptHash("tikv-exporter dummy password", cost);
  dummy_hash_ = dummy.ok() ? *dummy : users_.empty() ? "" : users_.begin()->second;
}

bool BasicAuth::Check(std::string_view authorization) const {
  auto [user, password] = DecodeBasic(authorization);
  auto it = users_.find(user);
  const bool known = it != users_.end() && !user.empty();
  const std::string& hash = known ? it->second : dummy_hash_;
  const bool match = ConstantTimeEquals(Crypt(password, hash), hash);
  return known && match;
}

bool IsBcryptHash(std::string_view hash) {
  if (hash.size() != 60) return false;
  if (!(hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$"))) return false;
  if (hash[6] != '$' || hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9') return false;
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  return cost >= 4 && cost <= 31;
}

StatusOr<std::string> BcryptHash(std::string_view password, int cost) {
  if (cost < 4 || cost > 31) return Status::Error("bcrypt cost must be between 4 and 31");
  std::array<char, 16> random{};
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(random.data(), random.size())) return Status::Error("cannot read /dev/urandom");
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), random.data(), static_cast<int>(random.size()),
                       salt.data(), static_cast<int>(salt.size())) == nullptr) {
    return Status::Error("crypt_gensalt_rn failed for bcrypt");
  }
  std::string hash = Crypt(std::string(password), salt.data());
  if (hash.empty()) return Status::Error("crypt_r failed for bcrypt");
  return hash;
}

}  // namespace tikv_exporter
