// libFuzzer target: the HTTP request-head parser, the first code that reads a client's bytes
// (before TLS is even optional: these bytes come from anyone who can connect), and the
// Accept-Encoding reader. The parse is repeated on every prefix length the listener may see.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/http_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const tikv_exporter::RequestLimits limits{256, 8, 64};  // small, so the bounds are reached
  for (size_t length : {size / 2, size}) {
    const tikv_exporter::RequestScan scan =
        tikv_exporter::ScanRequest(bytes.substr(0, length), limits);
    if (scan.state == tikv_exporter::RequestScan::State::kComplete && scan.consumed > length)
      __builtin_trap();
    (void)scan.request.KeepAlive();
  }
  (void)tikv_exporter::AcceptsGzip(bytes);
  return 0;
}
