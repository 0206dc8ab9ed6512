#pragma once

#include <string_view>
#include <vector>

#include "collectors/pd/pd_data.h"
#include "common/status.h"

namespace tikv_exporter {

// Decoders of PD HTTP API bodies (/pd/api/v1/...). Every error says which body was malformed;
// none throws. Invalid UTF-8 and unpaired surrogate escapes in a string become U+FFFD instead of
// failing the body (RepairJsonUtf8), so every decoded string is valid UTF-8. Thread-safe.

// GET /members: the members, the leader marked, and the cluster id.
StatusOr<PdData> ParsePdMembers(std::string_view json);
// GET /health: member health by member id (a JSON array).
StatusOr<std::vector<PdMember>> ParsePdHealth(std::string_view json);
// GET /stores (or GET /store/{id}, a single store object).
StatusOr<std::vector<PdStore>> ParsePdStores(std::string_view json);
// GET /regions/check/<kind>: the number of regions in that state.
StatusOr<double> ParsePdRegionCount(std::string_view json);
// GET /hotspot/regions/{read,write}: role ("leader"/"peer") -> store id -> stat.
StatusOr<std::map<std::string, std::map<uint64_t, PdHotStat>>> ParsePdHotspot(std::string_view json);

// GET /leader: the leader member (used when /members has no leader, e.g. mid-election).
StatusOr<PdMember> ParsePdLeader(std::string_view json);
// GET /cluster: the cluster id (exact uint64).
StatusOr<uint64_t> ParsePdClusterId(std::string_view json);
// GET /status: PD's version.
StatusOr<std::string> ParsePdVersion(std::string_view json);
// GET /config (or /config/replicate): max replicas and max-store-down-time, when present.
Status ParsePdConfig(std::string_view json, PdRegionData* out);

// GET /gc/safepoint: the GC safe point and the service safe points, oldest first, bounded.
StatusOr<PdGcSafePoints> ParsePdGcSafePoints(std::string_view json);

// PD's human-readable sizes: "311.7GiB", "1B" (PD >= 3.1, units.BytesSize) and "43 GiB"
// (older PD, go-humanize IBytes). Binary units.
StatusOr<double> ParsePdSize(std::string_view text);

}  // namespace tikv_exporter
