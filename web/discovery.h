#pragma once

#include <string>

#include "collectors/pd/pd_data.h"

namespace tikv_exporter {

// Prometheus HTTP service discovery (http_sd_config) for the whole cluster: one target group
// per Up TiKV store PD knows (TiFlash and stores in other states are left out), whose target is
// that store's sidecar — the host of its status address and the status port plus
// `port_offset` (the default 10 maps TiKV's 20180 to the sidecar's 20190). Labels are
// __meta_tikv_* for relabeling.
std::string DiscoveryTargetsJson(const PdData& pd, int port_offset);

}  // namespace tikv_exporter
