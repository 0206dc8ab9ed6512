#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace tikv_exporter {

// The standard process series, named and computed as Go's client_golang process collector serves
// them (every Go exporter has them, and dashboards and alerts are written against them), read
// from procfs at each Collect():
//   process_cpu_seconds_total        utime + stime of <proc>/self/stat, in seconds
//   process_resident_memory_bytes    rss pages of <proc>/self/stat times the page size
//   process_virtual_memory_bytes     vsize of <proc>/self/stat
//   process_start_time_seconds       btime of <proc>/stat + starttime of <proc>/self/stat
//   process_open_fds                 entries of <proc>/self/fd
//   process_max_fds                  the soft "Max open files" of <proc>/self/limits
// A value that cannot be read (no procfs, a file that does not parse) is left out, never made up.
// Every file is read with a size bound. `proc_root` is "/proc"; tests point it at a fixture.
// Immutable after construction; thread-safe.
class ProcessCollector : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::string proc_root = "/proc", long clock_ticks = 0, long page_size = 0);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string root_;
  const long clock_ticks_;  // USER_HZ; 0 = sysconf(_SC_CLK_TCK)
  const long page_size_;    // 0 = sysconf(_SC_PAGESIZE)
};

}  // namespace tikv_exporter
