#include "tools/tikv-sim/sim_pd.h"

#include <httplib.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/address.h"
#include "tools/tikv-sim/sim_files.h"
#include "tools/tikv-sim/sim_health_states.h"
#include "tools/tikv-sim/sim_pd_grpc.h"
#include "tools/tikv-sim/sim_server.h"

namespace tikv_exporter::sim {
namespace {

constexpr uint64_t kClusterId = 7452180154224557728ULL;  // as in the v8.1.0 fixture
constexpr double kGiB = 1024.0 * 1024 * 1024;

// PD >= 3.1 prints sizes with units.BytesSize: "%.4g" and a binary unit, no space.
std::string PdSize(double bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g%s", bytes, kUnits[unit]);
  return buffer;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SimPdCluster::SimPdCluster(std::vector<std::string> member_addresses, std::vector<std::string> grpc_addresses,
                           std::vector<std::string> store_status_addresses, SimTls tls)
    : tls_(std::move(tls)) {
  for (size_t i = 0; i < member_addresses.size(); ++i) {
    auto member = std::make_unique<Member>();
    member->name = "pd-" + std::to_string(i);
    member->address = member_addresses[i];
    if (i < grpc_addresses.size()) {
      member->grpc_address = grpc_addresses[i];
      member->grpc = std::make_unique<SimPdGrpcMember>(this, i);
    }
    member->id = 12818309996638325969ULL - i * 1000003;  // above INT64_MAX, like real ids
    members_.push_back(std::move(member));
  }
  for (size_t i = 0; i < store_status_addresses.size(); ++i) {
    Store store;
    store.id = 1 + i * 3;
    store.status_address = store_status_addresses[i];
    StatusOr<HostPort> host = ParseHostPort(store.status_address);
    store.address = (host.ok() ? host->host : "tikv-" + std::to_string(i)) + ":" + std::to_string(20160 + i);
    store.capacity = 500 * kGiB;
    store.used = (120 + 10.0 * static_cast<double>(i % 30)) * kGiB;  // within capacity for any count
    store.available = store.capacity - store.used - 50 * kGiB;
    store.regions = 300 + static_cast<int>(i) * 7;
    store.leaders = 100 + static_cast<int>(i) * 3;
    stores_.push_back(store);
  }
}

SimPdCluster::~SimPdCluster() { Stop(); }

SimPdCluster::View SimPdCluster::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  View view;
  view.cluster_id = kClusterId;
  view.leader = leader_;
  view.stores = stores_;
  for (const auto& member : members_) view.members.push_back({member->name, member->id, member->grpc_address});
  return view;
}

int64_t SimPdCluster::HeartbeatFor(const std::string& state_name) {
  // PD calls an Up store Disconnected after 20 s and Down after max-store-down-time (30 min)
  // without a heartbeat.
  const int64_t now = NowNs();
  if (state_name == "Disconnected") return now - 25'000'000'000LL;
  if (state_name == "Down") return now - 31LL * 60 * 1'000'000'000LL;
  return now - 3'000'000'000LL;
}

bool SimPdCluster::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& member : members_) {
    if (!member->down && !StartMember(*member)) return false;
  }
  return true;
}

void SimPdCluster::Stop() {
  std::vector<Member*> members;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& member : members_) members.push_back(member.get());
  }
  for (Member* member : members) StopMember(*member);
}

bool SimPdCluster::StartMember(Member& member) {
  if (member.server) return true;
  StatusOr<HostPort> address = ParseHostPort(member.address);
  if (!address.ok()) return false;
  std::unique_ptr<httplib::Server> server = MakeSimHttpServer(tls_);
  if (!server) return false;
  faults_.InstallOn(*server);
  auto json = [this](httplib::Response& res, std::string body) {
    if (body.empty()) {
      res.status = 404;
      res.set_content("404 page not found\n", "text/plain");
      return;
    }
    res.set_content(faults_.Distort(std::move(body)), "application/json; charset=UTF-8");
  };
  server->Get("/pd/api/v1/members", [this, json](const httplib::Request&, httplib::Response& res) {
    json(res, MembersJson());
  });
  server->Get("/pd/api/v1/health", [this, json](const httplib::Request&, httplib::Response& res) {
    json(res, HealthJson());
  });
  server->Get("/pd/api/v1/stores", [this, json](const httplib::Request&, httplib::Response& res) {
    json(res, StoresJson());
  });
  server->Get("/pd/api/v1/leader", [this, json](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    json(res, fixture_prefix_.empty() ? MemberJson(*members_[leader_]) : FixtureBody("leader.json"));
  });
  // A path-filtering proxy in front of PD (SetBehindProxy) answers 403 for what it does not pass.
  auto refused = [this](const httplib::Request& req, httplib::Response& res) {
    if (!ProxyRefuses(req.path)) return false;
    res.status = 403;
    res.set_content("403 Forbidden\n", "text/plain");
    return true;
  };
  server->Get("/pd/api/v1/status", [this, json, refused](const httplib::Request& req, httplib::Response& res) {
    if (refused(req, res)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    json(res, fixture_prefix_.empty()
                  ? R"({"build_ts":"2024-12-25 03:00:00","version":"v8.1.0","git_hash":"sim","start_timestamp":1735095900})"
                  : FixtureBody("status.json"));
  });
  server->Get("/pd/api/v1/config", [this, json](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    json(res, fixture_prefix_.empty()
                  ? R"({"schedule":{"max-store-down-time":"30m0s","leader-schedule-limit":4},"replication":{"max-replicas":3,"location-labels":""}})"
                  : FixtureBody("config.json"));
  });
  server->Get("/pd/api/v1/gc/safepoint", [this, json](const httplib::Request&, httplib::Response& res) {
    json(res, GcSafePointJson());
  });
  server->Get(R"(/pd/api/v1/regions/check/([a-z-]+))",
              [this, json, refused](const httplib::Request& req, httplib::Response& res) {
                if (refused(req, res)) return;
                json(res, RegionCheckJson(req.matches[1]));
              });
  server->Get(R"(/pd/api/v1/hotspot/regions/(read|write))",
              [this, json, refused](const httplib::Request& req, httplib::Response& res) {
                if (refused(req, res)) return;
                json(res, HotspotJson(req.matches[1]));
              });
  if (!server->bind_to_port(address->host, address->port)) return false;
  if (member.grpc && !member.grpc->Start(member.grpc_address)) return false;
  member.server = std::move(server);
  member.thread = std::thread([s = member.server.get()] { s->listen_after_bind(); });
  while (!member.server->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void SimPdCluster::StopMember(Member& member) {
  if (member.grpc) member.grpc->Stop();
  if (!member.server) return;
  member.server->stop();
  if (member.thread.joinable()) member.thread.join();
  member.server.reset();
}

bool SimPdCluster::SetMemberDown(size_t index, bool down) {
  Member* member = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (index >= members_.size()) return false;
    member = members_[index].get();
    member->down = down;
    if (!down) return StartMember(*member);
  }
  StopMember(*member);  // outside the lock: in-flight handlers take it
  return true;
}

bool SimPdCluster::SetLeader(size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= members_.size()) return false;
  leader_ = index;
  return true;
}

bool SimPdCluster::SetStoreState(uint64_t store_id, const std::string& state_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Store& store : stores_) {
    if (store.id == store_id) {
      store.state_name = state_name;
      return true;
    }
  }
  return false;
}

void SimPdCluster::SetLocalSlowScore(double score) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!stores_.empty()) stores_.front().slow_score = score;
}

void SimPdCluster::SetLocalStoreAddress(const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!stores_.empty()) stores_.front().address = address;
}

void SimPdCluster::SetGc(bool stuck, bool long_life_time, bool future) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!stuck) {
    gc_stuck_since_.reset();
  } else if (!gc_stuck_since_) {
    gc_stuck_since_ = std::chrono::system_clock::now();
  }
  gc_long_life_time_ = long_life_time;
  gc_future_ = future;
}

void SimPdCluster::SetBehindProxy(bool on) {
  std::lock_guard<std::mutex> lock(mutex_);
  behind_proxy_ = on;
}

bool SimPdCluster::ProxyRefuses(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!behind_proxy_) return false;
  for (const char* refused : {"/pd/api/v1/status", "/pd/api/v1/regions/check/", "/pd/api/v1/hotspot/"}) {
    if (path.starts_with(refused)) return true;
  }
  return false;
}

bool SimPdCluster::SetAdvertisedAddress(size_t index, const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= members_.size()) return false;
  std::string advertised = address == "blackhole" ? black_hole_.Address() : address;
  if (address == "blackhole" && advertised.empty()) return false;
  members_[index]->advertised = std::move(advertised);
  return true;
}

void SimPdCluster::UseFixtures(std::string prefix) {
  std::lock_guard<std::mutex> lock(mutex_);
  fixture_prefix_ = std::move(prefix);
}

std::string SimPdCluster::FixtureBody(const std::string& name) const {
  return ReadWholeFile(fixture_prefix_ + name).value_or("");
}

std::string SimPdCluster::ClientUrl(const Member& member) const {
  return Scheme() + (member.advertised.empty() ? member.address : member.advertised);
}

std::string SimPdCluster::MemberJson(const Member& member) const {
  return "{\"name\":\"" + member.name + "\",\"member_id\":" + std::to_string(member.id) +
         ",\"peer_urls\":[\"" + Scheme() + member.address + "\"],\"client_urls\":[\"" + ClientUrl(member) +
         "\"],\"deploy_path\":\"/\",\"binary_version\":\"v8.1.0\",\"git_hash\":\"sim\"}";
}

std::string SimPdCluster::MembersJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!fixture_prefix_.empty()) return FixtureBody("members.json");
  std::string out = "{\"header\":{\"cluster_id\":" + std::to_string(kClusterId) + "},\"members\":[";
  for (size_t i = 0; i < members_.size(); ++i) out += (i ? "," : "") + MemberJson(*members_[i]);
  out += "],\"leader\":" + MemberJson(*members_[leader_]) + ",\"etcd_leader\":" + MemberJson(*members_[leader_]) + "}";
  return out;
}

std::string SimPdCluster::HealthJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!fixture_prefix_.empty()) return FixtureBody("health.json");
  std::string out = "[";
  for (size_t i = 0; i < members_.size(); ++i) {
    const Member& m = *members_[i];
    out += std::string(i ? "," : "") + "{\"name\":\"" + m.name + "\",\"member_id\":" + std::to_string(m.id) +
           ",\"client_urls\":[\"" + ClientUrl(m) + "\"],\"health\":" + (m.down ? "false" : "true") + "}";
  }
  return out + "]";
}

void SimPdCluster::SetStoresBody(std::string body) {
  std::lock_guard<std::mutex> lock(mutex_);
  stores_body_ = std::move(body);
}

std::string SimPdCluster::StoresJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!stores_body_.empty()) return stores_body_;
  if (!fixture_prefix_.empty()) return FixtureBody("stores.json");
  std::string out = "{\"count\":" + std::to_string(stores_.size()) + ",\"stores\":[";
  for (size_t i = 0; i < stores_.size(); ++i) {
    const Store& s = stores_[i];
    const int64_t heartbeat = HeartbeatFor(s.state_name);
    const int state = s.state_name == "Offline" ? 1 : s.state_name == "Tombstone" ? 2 : 0;
    out += std::string(i ? "," : "") + "{\"store\":{\"id\":" + std::to_string(s.id) + ",\"address\":\"" + s.address +
           "\"," + (state ? "\"state\":" + std::to_string(state) + "," : "") +
           (s.engine != "tikv" ? "\"labels\":[{\"key\":\"engine\",\"value\":\"" + s.engine + "\"}]," : "") +
           "\"version\":\"8.1.0\",\"status_address\":\"" + s.status_address +
           "\",\"start_timestamp\":1735095903,\"last_heartbeat\":" + std::to_string(heartbeat) +
           ",\"node_state\":1,\"state_name\":\"" + s.state_name + "\"},\"status\":{\"capacity\":\"" +
           PdSize(s.capacity) + "\",\"available\":\"" + PdSize(s.available) + "\",\"used_size\":\"" + PdSize(s.used) +
           "\",\"leader_count\":" + std::to_string(s.leaders) + ",\"leader_weight\":1,\"leader_score\":" +
           std::to_string(s.leaders) + ",\"leader_size\":" + std::to_string(s.leaders) +
           ",\"region_count\":" + std::to_string(s.regions) + ",\"region_weight\":1,\"region_score\":" +
           std::to_string(s.regions * 1.25) + ",\"region_size\":" + std::to_string(s.regions) +
           (s.slow_score != 0 ? ",\"slow_score\":" + std::to_string(static_cast<int64_t>(s.slow_score)) : "") +
           ",\"uptime\":\"1h0m0s\"}}";
  }
  return out + "]}";
}

std::string SimPdCluster::RegionCheckJson(const std::string& kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!fixture_prefix_.empty()) return "";
  int count = 0;
  if (kind == "empty-region") count = 3;
  for (const Store& s : stores_) {
    if (kind == "down-peer" && s.state_name == "Down") count += s.regions;
    if (kind == "offline-peer" && s.state_name == "Offline") count += s.regions;
  }
  if (kind == "undersized-region") count = 0;
  static const char* kKnown[] = {"miss-peer", "extra-peer", "down-peer", "pending-peer", "offline-peer",
                                 "empty-region", "oversized-region", "undersized-region", "learner-peer"};
  bool known = false;
  for (const char* k : kKnown) known = known || kind == k;
  if (!known) return "";
  return "{\"count\":" + std::to_string(count) + ",\"regions\":[]}";
}

std::string SimPdCluster::HotspotJson(const std::string& kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!fixture_prefix_.empty()) return "";
  const double scale = kind == "write" ? 1.0 : 4.0;
  std::string leaders, peers;
  for (size_t i = 0; i < stores_.size(); ++i) {
    const Store& s = stores_[i];
    const std::string stat = "{\"total_flow_bytes\":" + std::to_string(scale * 1048576.0 * static_cast<double>(i + 1)) +
                             ",\"total_flow_keys\":" + std::to_string(scale * 1000.0 * static_cast<double>(i + 1)) +
                             ",\"total_flow_query\":" + std::to_string(scale * 100.0 * static_cast<double>(i + 1)) +
                             ",\"regions_count\":" + std::to_string(i + 1) + ",\"statistics\":[]}";
    leaders += std::string(i ? "," : "") + "\"" + std::to_string(s.id) + "\":" + stat;
    peers += std::string(i ? "," : "") + "\"" + std::to_string(s.id) + "\":" + stat;
  }
  return "{\"as_peer\":{" + peers + "},\"as_leader\":{" + leaders + "}}";
}

std::string SimPdCluster::GcSafePointJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!fixture_prefix_.empty()) return "";
  // PD's server/api/service_gc_safepoint.go: the service safe points and the GC safe point.
  const auto now = std::chrono::system_clock::now();
  const std::chrono::seconds life_time = SimGcLifeTime(gc_long_life_time_);
  const std::string healthy = std::to_string(SimGcSafePoint(now, std::nullopt, life_time));
  std::string services = "{\"service_id\":\"gc_worker\",\"expired_at\":9223372036854775807,\"safe_point\":" +
                         healthy + "}";
  std::string gc_safe_point = healthy;
  if (gc_stuck_since_) {
    // TiCDC keeps its service safe point alive for gc-ttl (24 h) past each refresh.
    const int64_t expires =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + 86400;
    gc_safe_point = std::to_string(SimGcSafePoint(now, gc_stuck_since_, life_time));
    services += ",{\"service_id\":\"ticdc-default-sim\",\"expired_at\":" + std::to_string(expires) +
                ",\"safe_point\":" + gc_safe_point + "}";
  }
  if (gc_future_) {
    // tikv/pd#7767: a gc_safe_point decoding to 2510 beside a BR safe point two years old.
    const auto two_years_ago = now - std::chrono::hours(2 * 8760);
    services = "{\"service_id\":\"br-sim\",\"expired_at\":9223372036854775807,\"safe_point\":" +
               std::to_string(SimGcSafePoint(two_years_ago, std::nullopt, std::chrono::seconds(0))) + "}," + services;
    gc_safe_point = std::to_string(SimFutureGcSafePoint());
  }
  return "{\"service_gc_safe_points\":[" + services + "],\"gc_safe_point\":" + gc_safe_point + "}";
}

std::string SimPdCluster::StateText() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string text;
  for (size_t i = 0; i < members_.size(); ++i) {
    text += "pd member " + std::to_string(i) + " " + members_[i]->address + (members_[i]->down ? " down" : " up") +
            (i == leader_ ? " leader" : "") +
            (members_[i]->advertised.empty() ? "" : " advertises " + ClientUrl(*members_[i])) + "\n";
  }
  for (const Store& s : stores_) {
    text += "store " + std::to_string(s.id) + " " + s.status_address + " " + s.state_name +
            (s.slow_score != 1 ? " slow_score " + std::to_string(static_cast<int64_t>(s.slow_score)) : "") + "\n";
  }
  return text;
}

}  // namespace tikv_exporter::sim
