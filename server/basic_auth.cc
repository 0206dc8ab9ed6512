#include "server/basic_auth.h"

#include <crypt.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>

#include "server/basic_auth_header.h"

namespace tikv_exporter {
namespace {

// crypt(3) of `password` with the salt and cost taken from `hash`; "" on failure.
std::string Crypt(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
  const char* result = crypt_r(password.c_str(), hash.c_str(), data.get());
  return result != nullptr && result[0] != '*' ? std::string(result) : std::string();
}

// bcrypt's base64 alphabet: the character's value, or -1.
int Base64Value(char c) {
  if (c == '.') return 0;
  if (c == '/') return 1;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 2;
  if (c >= 'a' && c <= 'z') return c - 'a' + 28;
  if (c >= '0' && c <= '9') return c - '0' + 54;
  return -1;
}

std::array<unsigned char, 32> Sha256(const std::string& text) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
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

BasicAuth::BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user)
    : BasicAuth(std::move(bcrypt_hash_by_user), Options()) {}

BasicAuth::BasicAuth(std::map<std::string, std::string> bcrypt_hash_by_user, Options options)
    : users_(std::move(bcrypt_hash_by_user)),
      options_(std::move(options)),
      bcrypt_slot_(options_.max_waiting, options_.max_wait),
      successes_(options_.max_cached, options_.cache_ttl, /*slide=*/true),
      failures_(options_.max_failures_cached, options_.failure_ttl, /*slide=*/false) {
  // The dummy costs what the configured hashes cost, so an unknown user is not faster. The
  // hashes were validated (LoadConfig), but a bad one must not make this spin for days either.
  int cost = 10;
  if (!users_.empty() && IsBcryptHash(users_.begin()->second)) cost = std::stoi(users_.begin()->second.substr(4, 2));
  StatusOr<std::string> dummy = BcryptHash("tikv-exporter dummy password", cost);
  dummy_hash_ = dummy.ok() ? *dummy : users_.empty() ? "" : users_.begin()->second;
}

std::chrono::steady_clock::time_point BasicAuth::Now() const {
  return options_.now ? options_.now() : std::chrono::steady_clock::now();
}

std::optional<bool> BasicAuth::Cached(const Digest& key) {
  const auto now = Now();
  MutexLock lock(cache_mutex_);
  if (successes_.Contains(key, now)) return true;
  if (failures_.Contains(key, now)) return false;
  return std::nullopt;
}

void BasicAuth::Remember(const Digest& key, bool allowed) {
  const auto now = Now();
  MutexLock lock(cache_mutex_);
  (allowed ? successes_ : failures_).Insert(key, now);
}

AuthResult BasicAuth::Check(std::string_view authorization) {
  StatusOr<BasicCredentials> credentials = DecodeBasicAuthorization(authorization);
  if (!credentials.ok()) return AuthResult::kDenied;
  const auto& [user, password] = *credentials;
  auto it = users_.find(user);
  const bool known = it != users_.end();
  const std::string& hash = known ? it->second : dummy_hash_;
  // The key covers the user's hash too, so a changed hash never matches an old entry. The user
  // holds no ':' and the hash has a fixed length, so the joined text is unambiguous.
  const Digest key = Sha256(user + ':' + password + '\n' + hash);
  if (std::optional<bool> cached = Cached(key)) return *cached ? AuthResult::kAllowed : AuthResult::kDenied;

  if (bcrypt_slot_.Acquire() != FifoSlot::Outcome::kAcquired) return AuthResult::kBusy;
  struct SlotRelease {
    FifoSlot& slot;
    ~SlotRelease() { slot.Release(); }
  } release{bcrypt_slot_};
  // Checks of the same credentials queue together (a scraper's parallel requests, a flood of one
  // wrong password): the first one's result serves the rest.
  std::optional<bool> match = Cached(key);
  if (!match) {
    ++bcrypt_runs_;
    if (options_.on_bcrypt) options_.on_bcrypt();
    match = ConstantTimeEquals(Crypt(password, hash), hash) && known;
    Remember(key, *match);
  }
  return *match ? AuthResult::kAllowed : AuthResult::kDenied;
}

Status ValidateBcryptHash(std::string_view hash) {
  if (!(hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$"))) {
    return Status::InvalidArgument("not a bcrypt hash: it must start with $2a$, $2b$ or $2y$");
  }
  if (hash.size() != 60) {
    return Status::InvalidArgument("a bcrypt hash has 60 characters, this one " + std::to_string(hash.size()));
  }
  if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9' || hash[6] != '$') {
    return Status::InvalidArgument("the bcrypt cost must be two digits followed by '$'");
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < kMinBcryptCost || cost > kMaxBcryptCost) {
    return Status::InvalidArgument("bcrypt cost " + std::to_string(cost) + " is outside " + std::to_string(kMinBcryptCost) +
                         ".." + std::to_string(kMaxBcryptCost) +
                         " (each step doubles the time of a check; 14 takes about a second)");
  }
  for (size_t i = 7; i < hash.size(); ++i) {
    if (Base64Value(hash[i]) < 0) {
      return Status::InvalidArgument(std::string(i < 29 ? "the salt" : "the hash part") + " has '" + hash[i] +
                           "', which is not in bcrypt's alphabet (./A-Za-z0-9)");
    }
  }
  // 22 characters carry the salt's 128 bits (the last one 2 of its 6), 31 the hash's 184 bits
  // (the last one 4 of 6). crypt(3) writes the unused bits as zero: with others set the result
  // would never equal the configured hash.
  if (Base64Value(hash[28]) % 16 != 0) {
    return Status::InvalidArgument("the salt's last character must be one of . O e u (22 characters hold 128 bits)");
  }
  if (Base64Value(hash[59]) % 4 != 0) {
    return Status::InvalidArgument("the hash part's last character is not canonical (31 characters hold 184 bits)");
  }
  return Status::Ok();
}

StatusOr<std::string> BcryptHash(std::string_view password, int cost) {
  if (cost < kMinBcryptCost || cost > kMaxBcryptCost) {
    return Status::InvalidArgument("bcrypt cost must be between " + std::to_string(kMinBcryptCost) + " and " +
                         std::to_string(kMaxBcryptCost));
  }
  if (password.find('\0') != std::string_view::npos) return Status::InvalidArgument("a password cannot contain a NUL byte");
  std::array<char, 16> random{};
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(random.data(), random.size())) return Status::Internal("cannot read /dev/urandom");
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), random.data(), static_cast<int>(random.size()),
                       salt.data(), static_cast<int>(salt.size())) == nullptr) {
    return Status::Internal("crypt_gensalt_rn failed for bcrypt");
  }
  std::string hash = Crypt(std::string(password), salt.data());
  if (hash.empty()) return Status::Internal("crypt_r failed for bcrypt");
  return hash;
}

}  // namespace tikv_exporter
