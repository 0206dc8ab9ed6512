#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace tikv_exporter {

Status Status::FromErrno(int error_number, const std::string& context) {
  std::string message = context + std::strerror(error_number);
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return NotFound(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDenied(std::move(message));
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return ResourceExhausted(std::move(message));
    default:
      return Unavailable(std::move(message));
  }
}

}  // namespace tikv_exporter
