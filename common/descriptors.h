#pragma once

namespace tikv_exporter {

// EMFILE or ENFILE when the process cannot open one more descriptor now, else 0. (Opens and
// closes /dev/null: a probe, not a reservation.)
int DescriptorShortage();

}  // namespace tikv_exporter
