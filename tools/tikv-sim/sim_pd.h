#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tools/tikv-sim/black_hole.h"
#include "tools/tikv-sim/fault_injector.h"
#include "tools/tikv-sim/sim_http.h"

namespace httplib {
class Server;
}

namespace tikv_exporter::sim {

class SimPdGrpcMember;

// A simulated PD cluster: members (one HTTP listener each), stores shaped like PD v8.1's
// /pd/api/v1/stores, region checks and hot spots. Members can go down (their port closes), the
// leader can move and stores can change state at run time. Thread-safe.
class SimPdCluster {
 public:
  struct Store {
    uint64_t id = 0;
    std::string address;
    std::string status_address;
    std::string state_name = "Up";  // Up, Disconnected, Down, Offline, Tombstone
    std::string engine = "tikv";
    double capacity = 0, available = 0, used = 0;
    int regions = 0, leaders = 0;
    double slow_score = 1;  // 1 healthy .. 100; PD omits it when 0
  };

  // A member as the gRPC service shows it.
  struct MemberView {
    std::string name;
    uint64_t id = 0;
    std::string grpc_address;
  };
  struct View {
    uint64_t cluster_id = 0;
    std::vector<MemberView> members;
    size_t leader = 0;
    std::vector<Store> stores;
  };

  // `member_addresses`: host:port of each PD member's HTTP API; `grpc_addresses`: of its gRPC
  // API (empty, or one per member); `store_status_addresses`: the status address of each TiKV
  // store (the first is this node's).
  // With `tls` on, every member serves HTTPS and gRPC over TLS, requiring client certificates,
  // and advertises https:// URLs.
  SimPdCluster(std::vector<std::string> member_addresses, std::vector<std::string> grpc_addresses,
               std::vector<std::string> store_status_addresses, SimTls tls = {});

  View Snapshot() const;
  // The unix-ns heartbeat PD would show for a store in `state_name` (old for Disconnected/Down).
  static int64_t HeartbeatFor(const std::string& state_name);
  ~SimPdCluster();

  // Serves every member that is not down; false when a port cannot be bound.
  bool Start();
  void Stop();

  bool SetMemberDown(size_t member, bool down);
  bool SetLeader(size_t member);
  bool SetStoreState(uint64_t store_id, const std::string& state_name);
  // The slow_score of this node's store (the first one), as PD shows it in /stores.
  void SetLocalSlowScore(double score);
  // The address (TiKV's gRPC port) of this node's store, as PD shows it: where its debug service is.
  void SetLocalStoreAddress(const std::string& address);
  // GET /gc/safepoint: TiDB's gc_worker service safe point and the GC safe point follow
  // SimGcSafePoint (24 h behind with `long_life_time`); stuck, a TiCDC changefeed's service safe
  // point holds the GC safe point frozen; `future`, a broken body (SimFutureGcSafePoint).
  void SetGc(bool stuck, bool long_life_time, bool future);
  // A path-filtering proxy in front of every member: /status, /regions/check/* and /hotspot/*
  // answer 403 while the rest passes.
  void SetBehindProxy(bool on);
  // The client URL a member advertises in /members, /leader and /health: "" its own address,
  // "blackhole" a port that accepts and never answers (an address unreachable from the
  // exporter), anything else that host:port. Its HTTP API keeps serving on its own address.
  bool SetAdvertisedAddress(size_t member, const std::string& address);
  // Serves the real PD bodies `<prefix>members.json`, `health.json`, `stores.json`,
  // `leader.json`, `status.json`, `config.json` instead (404 for those the prefix lacks).
  void UseFixtures(std::string prefix);
  // Serves `body` as /stores instead of the simulated stores ("" serves them again).
  void SetStoresBody(std::string body);

  std::string StateText() const;
  // Misbehaviour of every member's HTTP API (POST /control/pd/fault).
  FaultInjector& faults() { return faults_; }
  const SimTls& tls() const { return tls_; }
  std::string Scheme() const { return tls_.enabled() ? "https://" : "http://"; }

 private:
  struct Member {
    std::string name;
    std::string address;
    std::string grpc_address;
    std::string advertised;  // host:port in client_urls; empty: `address`
    std::unique_ptr<SimPdGrpcMember> grpc;
    uint64_t id = 0;
    bool down = false;
    std::unique_ptr<httplib::Server> server;
    std::thread thread;
  };

  bool StartMember(Member& member);
  static void StopMember(Member& member);
  std::string ClientUrl(const Member& member) const;
  std::string MemberJson(const Member& member) const;
  std::string MembersJson() const;
  std::string HealthJson() const;
  std::string StoresJson() const;
  std::string RegionCheckJson(const std::string& kind) const;
  std::string HotspotJson(const std::string& kind) const;
  std::string GcSafePointJson() const;
  std::string FixtureBody(const std::string& name) const;

  bool ProxyRefuses(const std::string& path) const;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Member>> members_;
  std::vector<Store> stores_;
  size_t leader_ = 0;
  std::optional<std::chrono::system_clock::time_point> gc_stuck_since_;
  bool gc_long_life_time_ = false;  // tidb_gc_life_time = 24 h
  bool gc_future_ = false;          // gc_safe_point in 2510
  bool behind_proxy_ = false;
  std::string fixture_prefix_;
  std::string stores_body_;  // SetStoresBody
  BlackHole black_hole_;
  const SimTls tls_;
  FaultInjector faults_{"/pd/api/v1/members"};
};

}  // namespace tikv_exporter::sim
