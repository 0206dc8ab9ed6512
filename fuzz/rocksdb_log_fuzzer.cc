// libFuzzer target: the RocksDB info-log reader and stats-dump parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/rocksdb/rocksdb_log_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tikv_exporter::RocksDbLogReader reader;
  while (!text.empty()) {
    size_t end = text.find('\n');
    reader.AddLine(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  reader.EndOfData();
  (void)reader.TakeDumps();
  return 0;
}
