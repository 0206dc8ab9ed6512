// libFuzzer target: the Prometheus text parser (and writing back what it accepted, in both
// formats /metrics answers).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "prom/exposition_parser.h"
#include "prom/exposition_writer.h"
#include "prom/openmetrics_writer.h"
#include "common/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tikv_exporter::ParseLimits limits;
  limits.max_samples = 10000;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = tikv_exporter::ParseExposition(std::string(text), limits);
  if (parsed.ok()) {
    // What we accepted must write back into something we accept again.
    std::string written = tikv_exporter::WriteExposition(parsed->exposition.ToExposition());
    // Prometheus rejects a whole target for one non-UTF-8 byte: none may pass the parser.
    if (!tikv_exporter::IsValidUtf8(written)) __builtin_trap();
    if (!tikv_exporter::ParseExposition(written, limits).ok()) __builtin_trap();
    if (!tikv_exporter::IsValidUtf8(tikv_exporter::WriteOpenMetrics(parsed->exposition.ToExposition()))) __builtin_trap();
  }
  return 0;
}
