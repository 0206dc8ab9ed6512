#include "common/address.h"

#include <charconv>

namespace tikv_exporter {

StatusOr<HostPort> ParseHostPort(std::string_view address) {
  const std::string quoted = "\"" + std::string(address) + "\"";
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument(quoted + " is not host:port");
  }
  std::string_view host = address.substr(0, colon);
  std::string_view port_text = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return Status::InvalidArgument(quoted + ": unclosed [IPv6]");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Status::InvalidArgument(quoted + ": an IPv6 host needs [brackets]");
  }
  for (char c : host) {
    if (c == '/' || c == ' ' || c == '@' || c == '?' || c == '#') {
      return Status::InvalidArgument(quoted + ": invalid character '" + std::string(1, c) + "' in the host");
    }
  }
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return Status::InvalidArgument(quoted + " has no valid port (1-65535)");
  }
  return HostPort{std::string(host), port};
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string_view WithoutScheme(std::string_view url) {
  const size_t at = url.find("://");
  return at == std::string_view::npos ? url : url.substr(at + 3);
}

}  // namespace tikv_exporter
