#include <optional>
#include <utility>

#include "collectors/pd/pd_client.h"
#include "collectors/pd/pd_json.h"
#include "collectors/upstream_error.h"

namespace tikv_exporter {
namespace {

constexpr std::string_view kApi = "/pd/api/v1";

const char* const kRegionCheckKinds[] = {"miss-peer",    "extra-peer",       "down-peer",
                                         "pending-peer", "offline-peer",     "empty-region",
                                         "oversized-region", "undersized-region"};

class PdHttpClient : public PdClient {
 public:
  PdHttpClient(std::unique_ptr<HttpFetcher> fetcher, size_t max_body_bytes)
      : fetcher_(std::move(fetcher)), max_body_bytes_(max_body_bytes) {}

  const std::string& url() const override { return fetcher_->base_url(); }

  Status FetchCluster(Clock::time_point deadline, PdData* data) override {
    const PollConnection connection(*fetcher_);
    StatusOr<std::string> members_body = GetBody("/members", deadline);
    if (!members_body.ok()) return members_body.status();
    StatusOr<PdData> members = ParsePdMembers(*members_body);
    if (!members.ok()) return members.status();
    *data = std::move(*members);
    bool has_leader = false;
    for (const PdMember& member : data->members) has_leader = has_leader || member.leader;
    if (!has_leader) {  // mid-election /members may lack the leader; /leader says who won
      if (StatusOr<std::string> body = GetBody("/leader", deadline); body.ok()) {
        if (StatusOr<PdMember> leader = ParsePdLeader(*body); leader.ok()) {
          for (PdMember& member : data->members) member.leader = member.member_id == leader->member_id;
        }
      }
    }

    StatusOr<std::string> stores_body = GetBody("/stores", deadline);
    if (!stores_body.ok()) return stores_body.status();
    StatusOr<std::vector<PdStore>> stores = ParsePdStores(*stores_body);
    if (!stores.ok()) return stores.status();
    data->stores = std::move(*stores);

    // Health is optional: PD answers 503 with the same body when a member is unreachable.
    StatusOr<HttpResponse> health = fetcher_->Get(std::string(kApi) + "/health", Options(deadline));
    if (health.ok() && (health->status == 200 || health->status == 503)) {
      if (StatusOr<std::vector<PdMember>> parsed = ParsePdHealth(health->body); parsed.ok()) {
        for (const PdMember& checked : *parsed) {
          for (PdMember& member : data->members) {
            if (member.member_id == checked.member_id) member.healthy = checked.healthy;
          }
        }
      }
    }
    return Status::Ok();
  }

  // Each endpoint stands alone: one that fails (a proxy that lets only some paths through, a
  // body above max_body_bytes, an older PD without it) leaves its part empty and is named in
  // out->failed, and the others keep what they answered.
  Status FetchRegionData(Clock::time_point deadline, PdRegionData* out) override {
    const PollConnection connection(*fetcher_);
    auto get = [&](const std::string& path) -> std::optional<std::string> {
      StatusOr<std::string> body = GetBody(path, deadline);
      if (body.ok()) return std::move(*body);
      out->failed[path] = body.status().message();
      return std::nullopt;
    };
    auto parsed = [&](const std::string& path, const auto& result) {
      if (!result.ok()) out->failed[path] = result.status().message();
      return result.ok();
    };
    for (const char* kind : kRegionCheckKinds) {
      const std::string path = std::string("/regions/check/") + kind;
      if (std::optional<std::string> body = get(path)) {
        if (StatusOr<double> count = ParsePdRegionCount(*body); parsed(path, count)) out->unhealthy_regions[kind] = *count;
      }
    }
    for (const char* kind : {"read", "write"}) {
      const std::string path = std::string("/hotspot/regions/") + kind;
      if (std::optional<std::string> body = get(path)) {
        if (auto hot = ParsePdHotspot(*body); parsed(path, hot)) out->hot[kind] = std::move(*hot);
      }
    }
    if (std::optional<std::string> body = get("/status")) {
      if (StatusOr<std::string> version = ParsePdVersion(*body); parsed("/status", version)) out->pd_version = *version;
    }
    // A malformed /config was dropped without a word before [[nodiscard]] Status said so.
    if (std::optional<std::string> body = get("/config")) {
      if (Status config = ParsePdConfig(*body, out); !config.ok()) out->failed["/config"] = config.message();
    }
    if (std::optional<std::string> body = get("/gc/safepoint")) {
      if (StatusOr<PdGcSafePoints> gc = ParsePdGcSafePoints(*body); parsed("/gc/safepoint", gc)) out->gc = std::move(*gc);
    }
    return Status::Ok();
  }

 private:
  // GET kApi + path; a non-200 answer is an error naming the status (and what to set when it is
  // PD's HTTPS port answering plain HTTP).
  StatusOr<std::string> GetBody(const std::string& path, Clock::time_point deadline) {
    StatusOr<HttpResponse> response = fetcher_->Get(std::string(kApi) + path, Options(deadline));
    if (!response.ok()) return response.status();
    if (response->status != 200) return HttpStatusError(url() + std::string(kApi) + path, *response);
    return std::move(response->body);
  }

  // A fetch's GETs (3 for the cluster, 13 for the region data) share one connection: one TCP and
  // TLS handshake, not one each.
  HttpRequestOptions Options(Clock::time_point deadline) const {
    HttpRequestOptions options{deadline, max_body_bytes_};
    options.keep_connection = true;
    return options;
  }

  std::unique_ptr<HttpFetcher> fetcher_;
  size_t max_body_bytes_;
};

}  // namespace

std::unique_ptr<PdClient> MakePdHttpClient(std::string base_url, ConnectionLimiter* limiter,
                                           size_t max_body_bytes, UpstreamTls tls) {
  return MakePdHttpClient(MakeHttpFetcher(std::move(base_url), limiter, std::move(tls)), max_body_bytes);
}

std::unique_ptr<PdClient> MakePdHttpClient(std::unique_ptr<HttpFetcher> fetcher, size_t max_body_bytes) {
  return std::make_unique<PdHttpClient>(std::move(fetcher), max_body_bytes);
}

}  // namespace tikv_exporter
