// The process_* series: computed from procfs as client_golang computes them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "exporter/process_collector.h"

namespace tikv_exporter {
namespace {

namespace fs = std::filesystem;

// A procfs look-alike in a fresh directory, removed afterwards.
class FakeProc {
 public:
  FakeProc() {
    root_ = fs::temp_directory_path() / ("fake_proc_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(root_ / "self" / "fd");
  }
  ~FakeProc() { fs::remove_all(root_); }
  void Write(const std::string& name, const std::string& text) const { std::ofstream(root_ / name) << text; }
  void AddFds(int n) const {
    for (int i = 0; i < n; ++i) std::ofstream(root_ / "self" / "fd" / std::to_string(i)) << "";
  }
  std::string root() const { return root_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path root_;
};

std::map<std::string, double> Values(const ProcessCollector& collector) {
  std::map<std::string, double> values;
  for (const prometheus::MetricFamily& family : collector.Collect()) {
    EXPECT_EQ(family.metric.size(), 1u) << family.name;
    if (family.metric.empty()) continue;
    values[family.name] = family.type == prometheus::MetricType::Counter ? family.metric[0].counter.value
                                                                          : family.metric[0].gauge.value;
    EXPECT_FALSE(family.help.empty()) << family.name;
  }
  return values;
}

// proc(5): pid (comm) state ppid ... utime(14) stime(15) ... starttime(22) vsize(23) rss(24). The
// command name holds a space and a ')' on purpose: only the last ')' ends it.
std::string Stat(long utime, long stime, long starttime, long vsize, long rss) {
  std::string fields = "42 (tikv ex) porter) S 1 42 42 0 -1 4194560 100 0 0 0 ";
  fields += std::to_string(utime) + " " + std::to_string(stime) + " 0 0 20 0 9 0 " + std::to_string(starttime) + " " +
            std::to_string(vsize) + " " + std::to_string(rss) + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1\n";
  return fields;
}

TEST(ProcessCollector, ComputesEachSeriesFromItsFile) {
  FakeProc proc;
  proc.Write("self/stat", Stat(250, 150, 123456, 987654321, 2500));
  proc.Write("stat", "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 5\nctxt 6\nbtime 1700000000\nprocesses 7\n");
  proc.Write("self/limits",
             "Limit                     Soft Limit           Hard Limit           Units     \n"
             "Max cpu time              unlimited            unlimited            seconds   \n"
             "Max open files            65536                1048576              files     \n");
  proc.AddFds(7);
  const std::map<std::string, double> values = Values(ProcessCollector(proc.root(), 100, 4096));
  EXPECT_DOUBLE_EQ(values.at("process_cpu_seconds_total"), 4.0);           // (250 + 150) / 100
  EXPECT_DOUBLE_EQ(values.at("process_resident_memory_bytes"), 2500.0 * 4096);
  EXPECT_DOUBLE_EQ(values.at("process_virtual_memory_bytes"), 987654321.0);
  EXPECT_DOUBLE_EQ(values.at("process_start_time_seconds"), 1700000000 + 1234.56);
  EXPECT_DOUBLE_EQ(values.at("process_open_fds"), 7.0);
  EXPECT_DOUBLE_EQ(values.at("process_max_fds"), 65536.0);
  EXPECT_EQ(values.size(), 6u);
}

TEST(ProcessCollector, WhatCannotBeReadIsLeftOut) {
  FakeProc proc;
  proc.Write("self/stat", "42 (truncated");  // no ')' : no field can be trusted
  proc.Write("self/limits", "Max open files            unlimited            unlimited            files\n");
  fs::remove(proc.root() + "/self/fd");
  EXPECT_TRUE(Values(ProcessCollector(proc.root(), 100, 4096)).empty());

  // A /proc/stat without btime: everything but the start time.
  FakeProc partial;
  partial.Write("self/stat", Stat(1, 1, 1, 1, 1));
  partial.Write("stat", "cpu 1 2 3\n");
  const std::map<std::string, double> values = Values(ProcessCollector(partial.root(), 100, 4096));
  EXPECT_EQ(values.count("process_start_time_seconds"), 0u);
  EXPECT_EQ(values.count("process_max_fds"), 0u);  // no limits file
  EXPECT_EQ(values.count("process_cpu_seconds_total"), 1u);
}

TEST(ProcessCollector, AHugeFileIsNotRead) {
  FakeProc proc;
  proc.Write("self/stat", Stat(1, 1, 1, 1, 1) + std::string(8 << 10, ' '));
  EXPECT_EQ(Values(ProcessCollector(proc.root(), 100, 4096)).count("process_cpu_seconds_total"), 0u);
}

TEST(ProcessCollector, ThisProcessAsTheKernelSeesIt) {
  const std::map<std::string, double> values = Values(ProcessCollector());
  ASSERT_EQ(values.size(), 6u);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(values.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(values.at("process_start_time_seconds"), now - 3600) << "the test binary started within the hour";
  EXPECT_GT(values.at("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(values.at("process_virtual_memory_bytes"), values.at("process_resident_memory_bytes"));
  EXPECT_GE(values.at("process_open_fds"), 3);
  EXPECT_GE(values.at("process_max_fds"), values.at("process_open_fds"));
  EXPECT_GE(values.at("process_cpu_seconds_total"), 0);
}

}  // namespace
}  // namespace tikv_exporter
