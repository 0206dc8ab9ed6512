#pragma once

#include <cstdint>

namespace tikv_exporter::bench {

// Heap allocations (operator new) made by the process so far.
uint64_t Allocations();

}  // namespace tikv_exporter::bench
