#pragma once

#include <memory>
#include <string>

#include "collectors/collector.h"
#include "collectors/http_fetcher.h"
#include "collectors/pd/pd_data.h"

namespace tikv_exporter {

// One PD member's API, over HTTP (/pd/api/v1) or gRPC (pdpb.PD). Thread-compatible: one caller
// at a time.
class PdClient {
 public:
  virtual ~PdClient() = default;
  virtual const std::string& url() const = 0;
  // Members (cluster id, leader), member health where the protocol has it, and every store.
  virtual Status FetchCluster(Clock::time_point deadline, PdData* data) = 0;
  // Unhealthy-region counts and hot spots. A protocol without them leaves `out` empty and
  // returns ok.
  virtual Status FetchRegionData(Clock::time_point deadline, PdRegionData* out) = 0;
};

// PD's HTTP API: /members, /stores, /health; /regions/check/<kind> and /hotspot/regions/*.
std::unique_ptr<PdClient> MakePdHttpClient(std::string base_url, ConnectionLimiter* limiter,
                                           size_t max_body_bytes, UpstreamTls tls = {});
// The same over any fetcher (tests feed recorded answers); its base URL is the member's.
std::unique_ptr<PdClient> MakePdHttpClient(std::unique_ptr<HttpFetcher> fetcher, size_t max_body_bytes);

// PD's gRPC API: GetMembers, then GetAllStores and GetStore on the leader (followers answer
// "not leader"), with the real cluster id. Sizes are exact; leader counts and scores, member
// health, region checks and hot spots are not in these RPCs.
// With `tls` enabled, https:// members are reached over TLS (mTLS with a client certificate);
// the files are watched and rotated certificates used for new connections.
std::unique_ptr<PdClient> MakePdGrpcClient(std::string base_url, size_t max_message_bytes, UpstreamTls tls = {});

}  // namespace tikv_exporter
