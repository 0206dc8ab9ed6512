#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;
};

// "host:port" of "http://host:port" (any scheme); `url` itself when it has none.
std::string_view WithoutScheme(std::string_view url);

// Parses "host:port" or "[v6]:port"; the error says what is wrong with `address`.
StatusOr<HostPort> ParseHostPort(std::string_view address);

// Whether `host` (without brackets) names this machine's loopback: localhost, 127.0.0.0/8, ::1.
bool IsLoopbackHost(std::string_view host);

}  // namespace tikv_exporter
