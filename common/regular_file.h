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

// `path` opened read-only when it is a regular file, checked as ReadRegularFile checks it (so a
// FIFO at the path is an error, never a wait for a writer); the caller closes the descriptor.
// It stays O_NONBLOCK, which regular files ignore.
StatusOr<int> OpenRegularFile(const std::string& path);

}  // namespace tikv_exporter
