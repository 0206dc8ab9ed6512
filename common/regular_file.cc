#include "common/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tikv_exporter {

StatusOr<int> OpenRegularFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return Status::FromErrno(errno, "");
  if (!S_ISREG(info.st_mode)) return Status::InvalidArgument("not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Status::FromErrno(errno, "");
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("not a regular file");
  }
  return fd;
}

StatusOr<std::string> ReadRegularFile(const std::string& path, size_t max_bytes) {
  StatusOr<int> opened = OpenRegularFile(path);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  std::string text;
  Status status = Status::Ok();
  {
    char buffer[16384];
    while (status.ok()) {
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = Status::FromErrno(errno, "");
      } else if (n == 0) {
        break;
      } else if (text.size() + static_cast<size_t>(n) > max_bytes) {
        status = Status::InvalidArgument("larger than " + std::to_string(max_bytes) + " bytes");
      } else {
        text.append(buffer, static_cast<size_t>(n));
      }
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return text;
}

}  // namespace tikv_exporter
