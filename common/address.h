#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;
};

// Parses "host:port" or "[v6]:port"; the error says what is wrong with `address`.
StatusOr<HostPort> ParseHostPort(std::string_view address);

}  // namespace tikv_exporter
