#pragma once

#include <cstdint>

namespace tikv_exporter::bench {

// Heap allocations (operator new) made by the process so far.
uint64_t Allocations();
// Bytes those allocations asked for.
uint64_t AllocatedBytes();

}  // namespace tikv_exporter::bench
