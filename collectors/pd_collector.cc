#include "collectors/pd_collector.h"

#include <unistd.h>

#include <chrono>

#include "collectors/pd_json.h"
#include "common/address.h"

namespace tikv_exporter {
namespace {

constexpr std::string_view kApi = "/pd/api/v1";
// Discovered members are added up to this many endpoints in all (a PD cluster has 3-7).
constexpr size_t kMaxEndpoints = 16;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// GET kApi + path; a non-200 answer is an error naming the status.
StatusOr<std::string> GetBody(HttpFetcher& fetcher, std::string_view path, Clock::time_point deadline,
                              size_t max_body_bytes) {
  StatusOr<HttpResponse> response =
      fetcher.Get(std::string(kApi) + std::string(path), HttpRequestOptions{deadline, max_body_bytes});
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return Status::Error("GET " + fetcher.base_url() + std::string(kApi) + std::string(path) +
                         " answered HTTP " + std::to_string(response->status));
  }
  return std::move(response->body);
}

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

// True when `store_address` names this host at `local`'s port: the same host:port, or a
// loopback/wildcard local address whose port matches a store address on this host's name.
bool SameNode(const std::string& store_address, const std::string& local) {
  if (store_address.empty()) return false;
  if (store_address == local) return true;
  StatusOr<HostPort> store = ParseHostPort(store_address);
  StatusOr<HostPort> mine = ParseHostPort(local);
  if (!store.ok() || !mine.ok() || store->port != mine->port) return false;
  if (store->host == mine->host) return true;
  const bool local_is_loopback = mine->host == "127.0.0.1" || mine->host == "localhost" ||
                                 mine->host == "0.0.0.0" || mine->host == "::1";
  if (!local_is_loopback) return false;
  const std::string host = Hostname();
  return !host.empty() && (store->host == host || store->host.starts_with(host + "."));
}

std::string WithoutScheme(const std::string& url) {
  size_t at = url.find("://");
  return at == std::string::npos ? url : url.substr(at + 3);
}

}  // namespace

const std::vector<std::string>& PdCollector::RegionCheckKinds() {
  static const std::vector<std::string> kKinds = {"miss-peer",    "extra-peer",   "down-peer",
                                                  "pending-peer", "offline-peer", "empty-region",
                                                  "oversized-region", "undersized-region"};
  return kKinds;
}

PdCollector::PdCollector(FetcherFactory factory, PdCollectorOptions options)
    : factory_(std::move(factory)), options_(std::move(options)) {
  for (const std::string& url : options_.endpoints) endpoints_.push_back({url, factory_(url)});
}

Status PdCollector::Collect(Clock::time_point deadline, PollData* out) {
  std::string errors;
  for (size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
    const size_t index = (preferred_ + attempt) % endpoints_.size();
    auto data = std::make_shared<PdData>();
    Status status = CollectFrom(endpoints_[index], deadline, data.get());
    if (status.ok()) {
      preferred_ = index;
      LearnMembers(*data);
      if (WallClockMs() - region_attempt_ms_ >= options_.region_ttl_ms) {
        region_attempt_ms_ = WallClockMs();
        RefreshRegionData(*endpoints_[index].fetcher, deadline);
      }
      data->regions = region_cache_;
      out->pd = std::move(data);
      return Status::Ok();
    }
    errors += (errors.empty() ? "" : "; ") + status.message();
    if (Clock::now() >= deadline) break;
  }
  return Status::Error("no PD member answered: " + errors);
}

Status PdCollector::CollectFrom(Endpoint& endpoint, Clock::time_point deadline, PdData* data) {
  StatusOr<std::string> members_body = GetBody(*endpoint.fetcher, "/members", deadline, options_.max_body_bytes);
  if (!members_body.ok()) return members_body.status();
  StatusOr<PdData> members = ParsePdMembers(*members_body);
  if (!members.ok()) return members.status();
  *data = std::move(*members);
  data->endpoint = endpoint.base_url;

  StatusOr<std::string> stores_body = GetBody(*endpoint.fetcher, "/stores", deadline, options_.max_body_bytes);
  if (!stores_body.ok()) return stores_body.status();
  StatusOr<std::vector<PdStore>> stores = ParsePdStores(*stores_body);
  if (!stores.ok()) return stores.status();
  data->stores = std::move(*stores);
  MarkLocalStore(data);

  // Health is optional: PD answers 503 with the body when a member is unreachable.
  StatusOr<HttpResponse> health = endpoint.fetcher->Get(std::string(kApi) + "/health",
                                                        HttpRequestOptions{deadline, options_.max_body_bytes});
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

void PdCollector::MarkLocalStore(PdData* data) const {
  for (const PdStore& store : data->stores) {
    const bool match = options_.local_store_id
                           ? store.id == *options_.local_store_id
                           : SameNode(store.status_address, WithoutScheme(options_.local_status_address));
    if (match) data->local_store_id = store.id;
  }
}

void PdCollector::LearnMembers(const PdData& data) {
  for (const PdMember& member : data.members) {
    for (const std::string& url : member.client_urls) {
      StatusOr<std::string> base = NormalizeBaseUrl(url);
      if (!base.ok()) continue;
      size_t found = endpoints_.size();
      for (size_t i = 0; i < endpoints_.size(); ++i) {
        if (endpoints_[i].base_url == *base) found = i;
      }
      if (found == endpoints_.size()) {
        if (endpoints_.size() >= kMaxEndpoints) continue;
        endpoints_.push_back({*base, factory_(*base)});
      }
      if (member.leader) preferred_ = found;  // the leader answers without a proxy hop
    }
  }
}

void PdCollector::RefreshRegionData(HttpFetcher& fetcher, Clock::time_point deadline) {
  PdRegionData fresh;
  bool any = false;
  for (const std::string& kind : RegionCheckKinds()) {
    StatusOr<std::string> body = GetBody(fetcher, "/regions/check/" + kind, deadline, options_.max_body_bytes);
    if (!body.ok()) continue;  // older PD lacks some kinds (404); a huge answer hits the bound
    if (StatusOr<double> count = ParsePdRegionCount(*body); count.ok()) {
      fresh.unhealthy_regions[kind] = *count;
      any = true;
    }
  }
  for (const char* kind : {"read", "write"}) {
    StatusOr<std::string> body = GetBody(fetcher, std::string("/hotspot/regions/") + kind, deadline,
                                         options_.max_body_bytes);
    if (!body.ok()) continue;
    if (auto hot = ParsePdHotspot(*body); hot.ok()) {
      fresh.hot[kind] = std::move(*hot);
      any = true;
    }
  }
  if (!any) return;  // keep the previous data; its age tells how old it is
  fresh.fetched_ms = WallClockMs();
  region_cache_ = std::move(fresh);
}

}  // namespace tikv_exporter
