#pragma once

#include <sys/types.h>

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
// A line longer than `max_line_bytes` is dropped. Owns its file descriptor; not thread-safe.
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
  };

  LogFollower(std::string path, Limits limits);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  StatusOr<PollResult> Poll(const std::function<void(std::string_view line)>& on_line);

  const std::string& path() const { return path_; }

 private:
  // Reads from the open file up to `budget` bytes, handing over complete lines.
  size_t Drain(size_t budget, const std::function<void(std::string_view)>& on_line);
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
