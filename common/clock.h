#pragma once

#include <chrono>
#include <cstdint>

namespace tikv_exporter {

// Milliseconds since the epoch of clock C (system_clock: wall time for display and timestamps;
// steady_clock: for intervals).
template <typename C = std::chrono::system_clock>
int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(C::now().time_since_epoch()).count();
}

}  // namespace tikv_exporter
