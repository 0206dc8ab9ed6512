#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace tikv_exporter {

// The whole of `path` when it is a regular file of at most `max_bytes`. Anything else (a FIFO, a
// device, a directory) is refused without reading, and never blocks: the path is checked with
// stat() first, opened with O_NONBLOCK and checked again with fstat() (it may have been
// replaced in between). The error says why, without the path: "not a regular file", "larger
// than N bytes", or the system's message ("No such file or directory").
StatusOr<std::string> ReadRegularFile(const std::string& path, size_t max_bytes);

}  // namespace tikv_exporter
