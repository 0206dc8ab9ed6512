#include "collectors/rocksdb/log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/regular_file.h"

namespace tikv_exporter {

LogFollower::LogFollower(std::string path, Limits limits) : path_(std::move(path)), limits_(limits) {}

LogFollower::~LogFollower() { Close(); }

void LogFollower::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void LogFollower::Drain(size_t budget, Deadline deadline, const std::function<void(std::string_view)>& on_line,
                        PollResult* result) {
  size_t total = 0;
  char buffer[64 * 1024];
  while (total < budget) {
    const size_t want = std::min(sizeof(buffer), budget - total);
    if (std::chrono::steady_clock::now() >= deadline) {
      struct stat now {};
      result->out_of_time = ::fstat(fd_, &now) == 0 && now.st_size > offset_;
      break;
    }
    ssize_t n = ::pread(fd_, buffer, want, offset_);
    if (n <= 0) break;
    offset_ += n;
    total += static_cast<size_t>(n);
    std::string_view chunk(buffer, static_cast<size_t>(n));
    while (!chunk.empty()) {
      size_t newline = chunk.find('\n');
      std::string_view piece = chunk.substr(0, newline);
      chunk = newline == std::string_view::npos ? std::string_view() : chunk.substr(newline + 1);
      const bool complete = newline != std::string_view::npos;
      if (skip_to_newline_ || dropping_line_) {
        if (complete) skip_to_newline_ = dropping_line_ = false;
        continue;
      }
      if (partial_.size() + piece.size() > limits_.max_line_bytes) {
        partial_.clear();
        dropping_line_ = !complete;
        continue;
      }
      if (!complete) {
        partial_.append(piece);
        continue;
      }
      if (partial_.empty()) {
        on_line(piece);
      } else {
        partial_.append(piece);
        on_line(partial_);
        partial_.clear();
      }
    }
  }
  result->bytes_read += total;
}

StatusOr<LogFollower::PollResult> LogFollower::Poll(Deadline deadline,
                                                    const std::function<void(std::string_view)>& on_line) {
  PollResult result;
  struct stat now {};
  const bool exists = ::stat(path_.c_str(), &now) == 0;
  if (fd_ >= 0 && (!exists || now.st_ino != inode_ || now.st_dev != device_)) {
    // Rotated (or removed): what was written to the old file before the switch comes first,
    // all of it: a poll out of time switches on a later one.
    Drain(limits_.max_read_bytes, deadline, on_line, &result);
    if (result.out_of_time) return result;
    Close();
    partial_.clear();
    offset_ = 0;
  }
  if (!exists) {
    return Status::FromErrno(errno, path_ + ": ").WithMessage(path_ + ": " + std::strerror(errno) + " (the RocksDB info log)");
  }
  if (fd_ < 0) {
    // Regular files only: open() of a FIFO waits for a writer, which stuck the collector.
    StatusOr<int> fd = OpenRegularFile(path_);
    if (!fd.ok()) return fd.status().WithMessage(path_ + ": " + fd.status().message() + " (the RocksDB info log)");
    fd_ = *fd;
    struct stat opened {};
    ::fstat(fd_, &opened);
    device_ = opened.st_dev;
    inode_ = opened.st_ino;
    offset_ = 0;
    if (!opened_once_ && static_cast<size_t>(opened.st_size) > limits_.initial_backlog_bytes) {
      // A huge backlog: only its tail matters (the latest dump), starting at a line boundary.
      offset_ = opened.st_size - static_cast<off_t>(limits_.initial_backlog_bytes);
      skip_to_newline_ = true;
    }
    opened_once_ = true;
  } else if (now.st_size < offset_) {
    offset_ = 0;  // truncated in place
    partial_.clear();
    result.truncated = true;
  }
  Drain(limits_.max_read_bytes, deadline, on_line, &result);
  return result;
}

}  // namespace tikv_exporter
