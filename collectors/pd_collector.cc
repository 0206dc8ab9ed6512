#include "collectors/pd_collector.h"

#include <unistd.h>

#include <chrono>

#include "common/address.h"
#include "common/clock.h"

namespace tikv_exporter {
namespace {

// Discovered members are added up to this many endpoints in all (a PD cluster has 3-7).
constexpr size_t kMaxEndpoints = 16;


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

PdCollector::PdCollector(ClientFactory factory, PdCollectorOptions options)
    : factory_(std::move(factory)), options_(std::move(options)) {
  for (const std::string& url : options_.endpoints) clients_.push_back(factory_(url));
}

Status PdCollector::Collect(Clock::time_point deadline, PollData* out) {
  std::string errors;
  std::string limit;  // a bound hit on any member is reported as that limit
  for (size_t attempt = 0; attempt < clients_.size(); ++attempt) {
    const size_t index = (preferred_ + attempt) % clients_.size();
    PdClient& client = *clients_[index];
    auto data = std::make_shared<PdData>();
    Status status = client.FetchCluster(deadline, data.get());
    if (!status.ok()) {
      errors += (errors.empty() ? "" : "; ") + status.message();
      if (!status.limit().empty()) limit = status.limit();
      if (Clock::now() >= deadline) break;
      continue;
    }
    data->endpoint = client.url();
    MarkLocalStore(data.get());
    preferred_ = index;
    if (NowMs() - region_attempt_ms_ >= options_.region_ttl_ms) {
      region_attempt_ms_ = NowMs();
      PdRegionData fresh;
      // Keep the previous data when nothing came back; its age tells how old it is.
      if (client.FetchRegionData(deadline, &fresh).ok() &&
          (!fresh.unhealthy_regions.empty() || !fresh.hot.empty() || !fresh.pd_version.empty())) {
        fresh.fetched_ms = NowMs();
        fresh.ttl_ms = options_.region_ttl_ms;
        region_cache_ = std::move(fresh);
      }
    }
    data->regions = region_cache_;
    LearnMembers(*data);
    out->pd = std::move(data);
    return Status::Ok();
  }
  const std::string message = "no PD member answered: " + errors;
  return limit.empty() ? Status::Error(message) : Status::LimitHit(limit, message);
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
      size_t found = clients_.size();
      for (size_t i = 0; i < clients_.size(); ++i) {
        if (clients_[i]->url() == *base) found = i;
      }
      if (found == clients_.size()) {
        if (clients_.size() >= kMaxEndpoints) continue;
        clients_.push_back(factory_(*base));
      }
      if (member.leader) preferred_ = found;  // the leader answers without a proxy hop
    }
  }
}

}  // namespace tikv_exporter
