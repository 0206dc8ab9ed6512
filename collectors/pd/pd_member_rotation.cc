#include "collectors/pd/pd_member_rotation.h"

#include <algorithm>

namespace tikv_exporter {
namespace {

// A PD cluster has 3-7 members; learned URLs are added while fewer endpoints than this are known.
constexpr size_t kMaxEndpoints = 16;
// Skipping doubles with every failure in a row up to this many polls (8 min at a 15 s interval):
// a URL that is unreachable from here costs at most one attempt in this many polls, and one
// that comes back is found within that time.
constexpr int kMaxSkipPolls = 32;

bool Contains(const std::vector<size_t>& list, size_t value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Polls(int count) {
  return count == 1 ? "the next poll" : "the next " + std::to_string(count) + " polls";
}

}  // namespace

PdMemberRotation::PdMemberRotation(ClientFactory factory,
                                   const std::vector<std::string>& configured, LogSink log)
    : factory_(std::move(factory)), log_(std::move(log)) {
  if (!log_) log_ = [](LogLevel, const std::string&) {};
  for (const std::string& url : configured) endpoints_.emplace_back(factory_(url), true);
}

std::vector<size_t> PdMemberRotation::StartPoll() {
  skipped_.clear();
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i].skip_polls > 0) {
      --endpoints_[i].skip_polls;
      skipped_.push_back(i);
    }
  }
  std::vector<size_t> order;
  auto add = [&](size_t i) {
    if (!Contains(skipped_, i) && !Contains(order, i)) order.push_back(i);
  };
  if (preferred_ < endpoints_.size()) add(preferred_);
  for (bool configured : {true, false}) {
    for (size_t i = 0; i < endpoints_.size(); ++i) {
      if (endpoints_[i].configured == configured) add(i);
    }
  }
  return order;
}

void PdMemberRotation::Failed(size_t index, const Status& status) {
  Endpoint& endpoint = endpoints_[index];
  ++endpoint.failures;
  endpoint.last_error = status.message();
  // A configured endpoint is never skipped: it is what the operator said works from here.
  if (endpoint.configured) return;
  endpoint.skip_polls = std::min(1 << std::min(endpoint.failures - 1, 5), kMaxSkipPolls);
  const std::string& url = endpoint.client->url();
  if (endpoint.failures == 1) {
    log_(
        LogLevel::kWarn,
        "PD member " + url + " (advertised by PD's /members) failed: " + status.message() +
            "; skipping it for the next poll, then trying it again with backoff (every 2, 4, ... " +
            std::to_string(kMaxSkipPolls) + " polls) while the configured pd_endpoints are asked");
  } else {
    log_(LogLevel::kDebug, "PD member " + url + " failed again (" +
                               std::to_string(endpoint.failures) +
                               " times in a row): " + status.message() + "; skipping it for " +
                               Polls(endpoint.skip_polls));
  }
}

void PdMemberRotation::Answered(size_t index) {
  Endpoint& endpoint = endpoints_[index];
  if (endpoint.failures > 0 && !endpoint.configured) {
    log_(LogLevel::kInfo, "PD member " + endpoint.client->url() + " answers again after " +
                              std::to_string(endpoint.failures) +
                              " failed attempts; it is no longer skipped");
  }
  endpoint.failures = 0;
  endpoint.skip_polls = 0;
  endpoint.last_error.clear();
  preferred_ = index;
}

void PdMemberRotation::Learn(const std::vector<PdMember>& members) {
  std::vector<std::string> advertised;
  std::string leader;
  for (const PdMember& member : members) {
    for (const std::string& url : member.client_urls) {
      StatusOr<std::string> base = NormalizeBaseUrl(url);
      if (!base.ok()) continue;
      if (member.leader && leader.empty()) leader = *base;
      advertised.push_back(std::move(*base));
    }
  }
  auto is_advertised = [&](const std::string& url) {
    return std::find(advertised.begin(), advertised.end(), url) != advertised.end();
  };
  // Forget learned URLs PD no longer advertises (a replaced member, a changed pod address), so
  // they neither take the place of new ones nor get asked again.
  const std::string preferred_url =
      preferred_ < endpoints_.size() ? endpoints_[preferred_].client->url() : "";
  std::erase_if(endpoints_, [&](const Endpoint& e) {
    return !e.configured && !is_advertised(e.client->url());
  });
  skipped_.clear();
  for (const std::string& url : advertised) {
    if (IndexOf(url) < endpoints_.size()) continue;
    if (endpoints_.size() >= kMaxEndpoints) {
      if (!bound_logged_) {
        log_(LogLevel::kWarn,
             "PD's /members lists more endpoints than the " + std::to_string(kMaxEndpoints) +
                 " the collector keeps; not asking " + url + " and any further ones");
      }
      bound_logged_ = true;
      continue;
    }
    endpoints_.emplace_back(factory_(url), false);
  }
  preferred_ = IndexOf(preferred_url);
  if (preferred_ >= endpoints_.size()) preferred_ = 0;
  // The leader answers without a proxy hop — unless it failed from here and is not due again.
  const size_t leader_index = IndexOf(leader);
  if (leader_index < endpoints_.size()) {
    const Endpoint& endpoint = endpoints_[leader_index];
    if (endpoint.failures == 0 || (!endpoint.configured && endpoint.skip_polls == 0))
      preferred_ = leader_index;
  }
}

size_t PdMemberRotation::IndexOf(const std::string& url) const {
  size_t index = 0;
  while (index < endpoints_.size() && endpoints_[index].client->url() != url) ++index;
  return index;
}

std::string PdMemberRotation::SkippedNote() const {
  std::string note;
  for (size_t i : skipped_) {
    const Endpoint& endpoint = endpoints_[i];
    note += (note.empty() ? "; skipped " : ", ") + endpoint.client->url() + " (failed " +
            std::to_string(endpoint.failures) + " times in a row, last: " + endpoint.last_error +
            ")";
  }
  return note;
}

}  // namespace tikv_exporter
