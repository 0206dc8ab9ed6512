#include "collectors/pd/pd_collector.h"

#include <chrono>
#include <set>

#include "collectors/pd/pd_bounds.h"
#include "collectors/upstream_error.h"
#include "common/clock.h"

namespace tikv_exporter {
namespace {

// Each attempt but the last may use at most half of the time left: a member that hangs (an
// advertised address that is unreachable from here) then leaves the other half to the next
// one, while a member that fails fast (refused) hands its whole share on. The last attempt gets
// everything that is left.
Clock::time_point AttemptDeadline(Clock::time_point deadline, bool last) {
  const Clock::time_point now = Clock::now();
  if (last || now >= deadline) return deadline;
  return now + (deadline - now) / 2;
}

}  // namespace

PdCollector::PdCollector(ClientFactory factory, PdCollectorOptions options)
    : options_(std::move(options)),
      host_(options_.host ? *options_.host : ThisHost()),
      members_(std::move(factory), options_.endpoints, options_.log),
      region_cache_(options_.region_cache ? options_.region_cache : std::make_shared<PdRegionCache>()) {}

StatusOr<std::shared_ptr<const PdData>> PdCollector::Collect(Clock::time_point deadline) {
  const std::vector<size_t> order = members_.StartPoll();
  std::string errors;
  std::optional<Limit> limit;  // a bound hit on any member is reported as that limit
  for (size_t attempt = 0; attempt < order.size(); ++attempt) {
    const size_t index = order[attempt];
    PdClient& client = members_.client(index);
    auto data = std::make_shared<PdData>();
    Status status =
        client.FetchCluster(AttemptDeadline(deadline, attempt + 1 == order.size()), data.get());
    if (status.ok()) {
      status = BoundPdData(options_.max_stores, options_.max_string_bytes, data.get(), &data->limit_notes);
      NoteInvalidStores(*data);
    }
    if (!status.ok()) {
      status = WithHttpsHint(status, client.url(), options_.tls_configured);
      members_.Failed(index, status);
      errors += (errors.empty() ? "" : "; ") + status.message();
      if (status.limit()) limit = status.limit();
      if (Clock::now() >= deadline) break;
      continue;
    }
    members_.Answered(index);
    data->endpoint = client.url();
    MarkLocalStore(data.get());
    bool refresh = false;
    {
      MutexLock lock(region_cache_->mutex);
      refresh = NowMs() - region_cache_->attempt_ms >= options_.region_ttl_ms;
      if (refresh) region_cache_->attempt_ms = NowMs();
    }
    PdRegionData fresh;
    // Each endpoint's answer counts on its own (PD's GC safe points with the hot spots failing
    // behind a proxy); a failed one is logged, and its part stays empty rather than stale.
    const bool fetched = refresh && client.FetchRegionData(deadline, &fresh).ok();
    if (fetched) NoteRegionFailures(fresh.failed);
    {
      MutexLock lock(region_cache_->mutex);
      if (fetched) {
        fresh.fetched_ms = NowMs();
        fresh.ttl_ms = options_.region_ttl_ms;
        region_cache_->data = std::move(fresh);
      }
      data->regions = region_cache_->data;
    }
    members_.Learn(data->members);
    return std::shared_ptr<const PdData>(std::move(data));
  }
  const std::string message = "no PD member answered: " + errors + members_.SkippedNote();
  return limit ? Status::LimitHit(*limit, message) : Status::Unavailable(message);
}

void PdCollector::NoteInvalidStores(const PdData& data) {
  if (data.invalid_stores == logged_invalid_stores_) return;
  logged_invalid_stores_ = data.invalid_stores;
  if (!options_.log) return;
  if (data.invalid_stores == 0) {
    options_.log(LogLevel::kInfo, "PD /stores lists no invalid store any more");
  } else {
    options_.log(LogLevel::kWarn, "PD /stores: " + std::to_string(data.invalid_stores) +
                                      " invalid store(s) dropped, first " + data.invalid_store_example);
  }
}

void PdCollector::NoteRegionFailures(const std::map<std::string, std::string>& failed) {
  std::set<std::string> paths;
  for (const auto& [path, why] : failed) paths.insert(path);
  if (paths == logged_failures_) return;  // the messages carry sizes and times: log on the paths
  if (options_.log) {
    if (paths.empty()) {
      options_.log(LogLevel::kInfo, "every PD region-level endpoint answers again");
    } else {
      std::string words;
      for (const auto& [path, why] : failed) words += (words.empty() ? "" : "; ") + path + ": " + why;
      options_.log(LogLevel::kWarn, "PD region-level endpoints gave nothing (the others still count): " + words);
    }
  }
  logged_failures_ = std::move(paths);
}

void PdCollector::MarkLocalStore(PdData* data) {
  LocalStoreMatch match =
      MatchLocalStore(data->stores, options_.local_status_address, options_.local_store_id, host_);
  data->local_store_id = match.store_id;
  data->local_store_match = match.method;
  if (options_.local_grpc_address && match.store_id) {
    for (const PdStore& store : data->stores) {
      if (store.id == *match.store_id && !store.address_cut) options_.local_grpc_address->Set(store.address);
    }
  }
  if (logged_match_ && logged_match_->store_id == match.store_id &&
      logged_match_->method == match.method)
    return;
  if (options_.log) {
    if (match.store_id) {
      options_.log(LogLevel::kInfo, "this node's store in PD: " + match.detail + " (matched by " +
                                        match.method + ")");
    } else {
      options_.log(LogLevel::kWarn, "this node's store is not found in PD: " + match.detail);
    }
  }
  logged_match_ = std::move(match);
}

}  // namespace tikv_exporter
