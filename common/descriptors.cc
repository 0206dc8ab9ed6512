#include "common/descriptors.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace tikv_exporter {

int DescriptorShortage() {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    return 0;
  }
  return errno == EMFILE || errno == ENFILE ? errno : 0;
}

}  // namespace tikv_exporter
