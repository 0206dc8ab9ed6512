#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/pd/pd_data.h"

namespace tikv_exporter {

// What this machine is called, to recognise its own store among PD's when the sidecar's
// status_address and PD's store list name the node differently (loopback vs IP vs host name).
struct HostIdentity {
  std::string hostname;                // gethostname(), e.g. "tikv-0"
  std::vector<std::string> addresses;  // every interface's IP address, loopback included
};

// The running host's name and interface addresses (getifaddrs); empty parts when unavailable.
HostIdentity ThisHost();

// Which of PD's stores is this node's, and how it was found.
struct LocalStoreMatch {
  std::optional<uint64_t> store_id;
  // "store_id" ([collectors.pd] local_store_id), "address" (PD's status address is
  // status_address), "this_host" (same port, and both hosts name this machine), or "none".
  std::string method = "none";
  std::string detail;  // which address matched, or why none did: for one log line
};

// Finds this node's store: `configured_id` when set; else the store whose status address equals
// `local_status_address` (host case-insensitive, scheme ignored); else the one store at the same
// port whose host names this machine — loopback, wildcard, `host`'s name (or a name under it,
// "tikv-0.tikv-peer.ns.svc") or one of its addresses — when `local_status_address` names this
// machine too. Two such stores are ambiguous: none is chosen.
LocalStoreMatch MatchLocalStore(const std::vector<PdStore>& stores,
                                std::string_view local_status_address,
                                std::optional<uint64_t> configured_id, const HostIdentity& host);

}  // namespace tikv_exporter
