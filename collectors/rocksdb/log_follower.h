#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tikv_exporter {

// Follows a log file like `tail -F`: each Poll() hands over the complete lines written since the
// last one. Survives rotation (the file renamed and a new one created: the rest of the old one
// is read first), truncation (reading restarts at 0) and the file missing for a while (an
// error; it is reopened from the start when it comes back). On the first open a large file is
// read from its last `initial_backlog_bytes` only; each poll reads at most `max_read_bytes`.
// A line longer than `max_line_bytes` is dropped. A poll also stops reading at its deadline
// (checked between reads of at most 64 KiB) and goes on where it stopped on the next one.
// Owns its file descriptor; not thread-safe.
class LogFollower {
 public:
  struct Limits {
    size_t initial_backlog_bytes = 8 << 20;
    size_t max_read_bytes = 32 << 20;
    size_t max_line_bytes = 1 << 20;
  };
  struct PollResult {
    size_t bytes_read = 0;
    bool truncated = false;  // the file shrank: whatever was half-read is gone
    bool out_of_time = false;  // stopped at the deadline with more to read
  };

  LogFollower(std::string path, Limits limits);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  using Deadline = std::chrono::steady_clock::time_point;

  StatusOr<PollResult> Poll(Deadline deadline, const std::function<void(std::string_view line)>& on_line);

  const std::string& path() const { return path_; }

 private:
  // Reads from the open file up to `budget` bytes, handing over complete lines; stops early at
  // `deadline` (setting result->out_of_time). Adds what it read to result->bytes_read.
  void Drain(size_t budget, Deadline deadline, const std::function<void(std::string_view)>& on_line,
             PollResult* result);
  void Close();

  const std::string path_;
  const Limits limits_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  off_t offset_ = 0;
  bool opened_once_ = false;
  bool skip_to_newline_ = false;  // after starting mid-file
  bool dropping_line_ = false;    // inside an over-long line
  std::string partial_;
};

}  // namespace tikv_exporter
