#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/log_sink.h"
#include "collectors/pd/pd_client.h"
#include "collectors/pd/pd_data.h"

namespace tikv_exporter {

// Which PD endpoints one poll asks, in which order, and what it remembers of their failures.
//
// The configured endpoints are asked in every poll that gets that far. URLs that PD's /members
// advertises are asked too (the leader first: no proxy hop), but they may not be reachable from
// where the sidecar runs (NAT, a VIP or load balancer in front of PD, pod or internal names, a
// firewall): one that fails is skipped for the next poll, then 2, 4, ... up to 32 polls while it
// keeps failing, and that is logged once when it starts (again at debug level per retry) and once
// when it answers again. Learned URLs that /members no longer lists are forgotten, and new ones
// are added only while fewer than 16 endpoints are known.
// Owned by PdCollector; owns the clients; not thread-safe.
class PdMemberRotation {
 public:
  using ClientFactory = std::function<std::unique_ptr<PdClient>(const std::string& base_url)>;

  PdMemberRotation(ClientFactory factory, const std::vector<std::string>& configured, LogSink log);
  PdMemberRotation(const PdMemberRotation&) = delete;
  PdMemberRotation& operator=(const PdMemberRotation&) = delete;

  // Starts a poll: the endpoints to ask, best first — the one that answered last or the leader
  // learned of, then the configured ones, then the other learned ones not being skipped.
  std::vector<size_t> StartPoll();
  PdClient& client(size_t index) { return *endpoints_[index].client; }

  void Failed(size_t index, const Status& status);
  void Answered(size_t index);
  // After a poll that got /members: adds the URLs it advertises, drops learned ones it no longer
  // lists, and prefers the leader unless it is being skipped. Invalidates the indexes.
  void Learn(const std::vector<PdMember>& members);
  // "; skipped ...": the learned URLs this poll did not ask and why, for the error when no
  // member answered; "" when none was skipped.
  std::string SkippedNote() const;

 private:
  struct Endpoint {
    Endpoint(std::unique_ptr<PdClient> c, bool is_configured)
        : client(std::move(c)), configured(is_configured) {}
    std::unique_ptr<PdClient> client;
    bool configured = false;
    int failures = 0;    // in a row
    int skip_polls = 0;  // polls still to skip (learned URLs only)
    std::string last_error;
  };

  size_t IndexOf(const std::string& url) const;  // endpoints_.size() when unknown

  ClientFactory factory_;
  LogSink log_;
  std::vector<Endpoint> endpoints_;  // configured first, then learned
  size_t preferred_ = 0;
  std::vector<size_t> skipped_;  // this poll
  bool bound_logged_ = false;
};

}  // namespace tikv_exporter
