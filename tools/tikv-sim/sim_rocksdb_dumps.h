#pragma once

#include <string>
#include <vector>

namespace tikv_exporter::sim {

// The stats dumps of a RocksDB info LOG (a real one from tests/fixtures/real), each as TiKV's
// debug service prints it in GetMetrics' rocksdb_kv: the dump's lines without their LOG prefixes
// and with the tickers right after the DB stats (no "STATISTICS:" line). Oldest first; empty
// when the LOG holds no complete dump.
std::vector<std::string> RocksDbDumpTexts(const std::string& log_text);

// `dump` with `stall_micros` more write stall, as a kv RocksDB stalled that long would print it:
// the DB stats' "Cumulative stall", the rocksdb.stall.micros ticker and, one stall per 20 ms, the
// level0_slowdown count of the first column family's "Stalls(count)".
std::string WithWriteStall(std::string dump, double stall_micros);

}  // namespace tikv_exporter::sim
