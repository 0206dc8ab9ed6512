#include "server/response_headers.h"

#include <array>

#include "common/ascii.h"

namespace tikv_exporter {
namespace {

struct AllowedHeader {
  std::string_view name;
  std::array<std::string_view, 2> values;  // empty: any value
};

constexpr std::array<AllowedHeader, 5> kAllowed = {{
    {"Content-Security-Policy", {}},
    {"X-Frame-Options", {"deny", "sameorigin"}},
    {"X-Content-Type-Options", {"nosniff", ""}},
    {"X-XSS-Protection", {}},
    {"Strict-Transport-Security", {}},
}};

}  // namespace

StatusOr<std::string> CanonicalResponseHeader(std::string_view name, std::string_view value) {
  const AllowedHeader* allowed = nullptr;
  for (const AllowedHeader& candidate : kAllowed) {
    if (EqualsIgnoringCase(candidate.name, name)) allowed = &candidate;
  }
  if (allowed == nullptr) {
    return Status::InvalidArgument("header \"" + std::string(name).substr(0, 64) +
                         "\" cannot be set (only Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, "
                         "X-XSS-Protection and Strict-Transport-Security, as exporter-toolkit allows)");
  }
  if (value.size() > kMaxResponseHeaderValueBytes) {
    return Status::InvalidArgument(std::string(allowed->name) + ": value longer than " +
                         std::to_string(kMaxResponseHeaderValueBytes) + " bytes");
  }
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return Status::InvalidArgument(std::string(allowed->name) + ": value holds a byte that is not printable ASCII");
  }
  if (!value.empty() && !allowed->values[0].empty()) {
    bool ok = false;
    for (std::string_view choice : allowed->values) ok = ok || (!choice.empty() && EqualsIgnoringCase(choice, value));
    if (!ok) {
      std::string choices(allowed->values[0]);
      if (!allowed->values[1].empty()) choices += " or " + std::string(allowed->values[1]);
      return Status::InvalidArgument(std::string(allowed->name) + ": \"" + std::string(value) + "\" is not " + choices);
    }
  }
  return std::string(allowed->name);
}

}  // namespace tikv_exporter
