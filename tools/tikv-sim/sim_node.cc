#include "tools/tikv-sim/sim_node.h"

#include <cmath>

#include "prom/exposition_writer.h"
#include "tools/tikv-sim/sim_buckets.h"
#include "tools/tikv-sim/sim_health_series.h"

namespace tikv_exporter::sim {
namespace {

constexpr const char* kGrpcFamily = "tikv_grpc_msg_duration_seconds";

// Requests completed so far, as (latency, count) observations.
struct Completed {
  std::vector<std::pair<double, double>> observations;

  // Adds `elapsed` seconds of `load`, split into the three latency classes of RequestLoad.
  void Add(const RequestLoad& load, double elapsed) {
    // The integral of the (possibly waving) rate from 0 to `elapsed`.
    constexpr double kTwoPi = 6.283185307179586;
    const double wave = load.wave_amplitude * load.wave_period_seconds / kTwoPi *
                        (1 - std::cos(kTwoPi * elapsed / load.wave_period_seconds));
    const double total = std::floor(load.qps * (elapsed + wave));
    const double quarter = std::floor(total / 4);
    const double half = std::floor(total / 2);
    observations.emplace_back(0.5 * load.mean_latency_seconds, quarter);
    observations.emplace_back(load.mean_latency_seconds, half);
    observations.emplace_back(1.5 * load.mean_latency_seconds, total - quarter - half);
  }
  double Count() const {
    double n = 0;
    for (const auto& [latency, count] : observations) n += count;
    return n;
  }
  double Sum() const {
    double sum = 0;
    for (const auto& [latency, count] : observations) sum += latency * count;
    return sum;
  }
  double AtMost(double bound) const {
    double n = 0;
    for (const auto& [latency, count] : observations) {
      if (latency <= bound) n += count;
    }
    return n;
  }
};

// Adds zero-valued histogram series for `type` (and `priority`, when not empty) to the gRPC
// family, with the bucket bounds the family already uses (the modern ones when it is empty).
void AddEmptyHistogram(MetricFamily& family, const std::string& type, const std::string& priority) {
  std::vector<std::string> bounds;
  for (const Sample& sample : family.samples) {
    if (sample.name == family.name + "_bucket" &&
        sample.LabelValue("type") == family.samples.front().LabelValue("type")) {
      bounds.emplace_back(sample.LabelValue("le"));
    }
  }
  // TiKV >= 6.2: exponential_buckets(5e-5, 2, 22).
  if (bounds.empty()) bounds = ExponentialBucketLes(5e-5, 2, 22);
  std::vector<Label> labels;
  if (!priority.empty()) labels.push_back({"priority", priority});
  labels.push_back({"type", type});
  for (const std::string& le : bounds) {
    std::vector<Label> with_le = labels;
    with_le.push_back({"le", le});
    family.samples.push_back({family.name + "_bucket", std::move(with_le), 0, {}});
  }
  family.samples.push_back({family.name + "_sum", labels, 0, {}});
  family.samples.push_back({family.name + "_count", labels, 0, {}});
}

}  // namespace

SimNode::SimNode(Exposition base)
    : base_(std::move(base)),
      start_(std::chrono::steady_clock::now()),
      wall_start_(std::chrono::system_clock::now()),
      health_(start_) {}

std::unique_ptr<SimNode> SimNode::Raw(std::string raw_body) {
  auto node = std::make_unique<SimNode>(Exposition{});
  node->raw_body_ = std::move(raw_body);
  return node;
}

std::unique_ptr<SimNode> SimNode::BuiltIn(bool ready_endpoint) {
  auto node = std::make_unique<SimNode>(BuiltInExposition());
  node->health_series_ = true;
  node->ready_endpoint_ = ready_endpoint;
  return node;
}

Exposition SimNode::BuiltInExposition() {
  Exposition e;
  auto gauge = [&e](const char* name, const char* help, std::vector<Label> labels, double value) {
    MetricFamily& family = e.FindOrAdd(name);
    family.type = MetricType::kGauge;
    family.help = help;
    family.samples.push_back({name, std::move(labels), value, {}});
  };
  auto counter = [&e](const char* name, const char* help, std::vector<Label> labels) {
    MetricFamily& family = e.FindOrAdd(name);
    family.type = MetricType::kCounter;
    family.help = help;
    family.samples.push_back({name, std::move(labels), 0, {}});
  };
  MetricFamily& grpc = e.FindOrAdd(kGrpcFamily);
  grpc.type = MetricType::kHistogram;
  grpc.help = "Bucketed histogram of grpc server messages";
  for (const RequestLoad& load : DefaultRequestLoads()) AddEmptyHistogram(grpc, load.type, "normal");
  // A second priority without traffic: the exporter must sum over `priority` (TiKV >= 7.6).
  AddEmptyHistogram(grpc, "kv_get", "high");
  for (const char* db : {"kv", "raft"}) {
    for (const char* cf : {"default", "lock", "write"}) {
      gauge("tikv_engine_size_bytes", "Sizes of each column families", {{"db", db}, {"type", cf}},
            db == std::string("kv") ? 40.0 * (1 << 30) : 2.0 * (1 << 30));
      gauge("tikv_engine_pending_compaction_bytes", "Pending compaction bytes",
            {{"cf", cf}, {"db", db}}, db == std::string("kv") ? 3.0 * (1 << 20) : 0);
    }
  }
  gauge("tikv_server_info", "Indicate the tikv server info, and the value is the start timestamp (s).",
        {{"hash", "0000000000000000000000000000000000000000"}, {"version", "v8.5.0-sim"}},
        static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()));
  for (const TickerLoad& ticker : DefaultTickerLoads()) {
    std::vector<Label> labels = {{"db", ticker.db}};
    if (!ticker.type.empty()) labels.push_back({"type", ticker.type});
    counter(ticker.family.c_str(), "RocksDB ticker", std::move(labels));
  }
  AddHealthFamilies(&e);
  return e;
}

std::vector<RequestLoad> SimNode::DefaultRequestLoads() {
  return {{"kv_get", 1200, 0.0008},      {"kv_batch_get", 150, 0.002},
          {"kv_scan", 40, 0.006},        {"kv_prewrite", 300, 0.004},
          {"kv_commit", 300, 0.003},     {"coprocessor", 250, 0.012},
          {"kv_pessimistic_lock", 80, 0.0025}};
}

std::vector<TickerLoad> SimNode::DefaultTickerLoads() {
  std::vector<TickerLoad> loads;
  const char* cache = "tikv_engine_cache_efficiency";
  for (const char* db : {"kv", "raft"}) {
    double scale = db == std::string("kv") ? 1.0 : 0.1;
    loads.push_back({cache, db, "block_cache_hit", 9500 * scale});
    loads.push_back({cache, db, "block_cache_miss", 500 * scale});
    loads.push_back({cache, db, "block_cache_data_hit", 6000 * scale});
    loads.push_back({cache, db, "block_cache_data_miss", 400 * scale});
    loads.push_back({cache, db, "block_cache_index_hit", 2000 * scale});
    loads.push_back({cache, db, "block_cache_index_miss", 50 * scale});
    loads.push_back({cache, db, "block_cache_filter_hit", 1500 * scale});
    loads.push_back({cache, db, "block_cache_filter_miss", 50 * scale});
    loads.push_back({"tikv_engine_bloom_efficiency", db, "bloom_prefix_checked", 1000 * scale});
    loads.push_back({"tikv_engine_bloom_efficiency", db, "bloom_prefix_useful", 800 * scale});
    loads.push_back({"tikv_engine_bloom_efficiency", db, "bloom_useful", 700 * scale});
  }
  return loads;
}

std::string SimNode::ConfigJson() {
  return R"({
  "log-level": "info",
  "server": {"addr": "127.0.0.1:20160", "status-addr": "127.0.0.1:20180", "grpc-concurrency": 5},
  "storage": {"data-dir": "/var/lib/tikv", "capacity": "512GiB", "reserve-space": "5GiB",
              "max-background-jobs": 8, "block-cache": {"capacity": "10GiB"}},
  "raftstore": {"capacity": "100GiB", "notify-capacity": 40960, "messages-per-tick": 4096,
                "raft-base-tick-interval": "1s", "hibernate-regions": true},
  "rocksdb": {"max-background-jobs": 8, "stats-dump-period": "10m",
              "defaultcf": {"block-cache-size": "10GiB", "write-buffer-size": "128MiB"},
              "writecf": {"block-cache-size": "10GiB", "write-buffer-size": "128MiB"},
              "lockcf": {"block-cache-size": "1GiB", "write-buffer-size": "32MiB"}}
}
)";
}

void SimNode::SetRequestLoad(const RequestLoad& load) {
  std::lock_guard<std::mutex> lock(mutex_);
  MetricFamily* grpc = base_.Find(kGrpcFamily);
  if (grpc != nullptr) {
    bool present = false;
    for (const Sample& sample : grpc->samples) present = present || sample.LabelValue("type") == load.type;
    const bool has_priority =
        !grpc->samples.empty() && !grpc->samples.front().LabelValue("priority").empty();
    if (!present) AddEmptyHistogram(*grpc, load.type, has_priority ? "normal" : "");
  }
  const auto now = std::chrono::steady_clock::now();
  std::vector<LoadSegment>& segments = request_loads_[load.type];
  if (!segments.empty()) segments.back().until = now;
  segments.push_back({load, now, std::nullopt});
}

void SimNode::SetTickerLoads(std::vector<TickerLoad> loads) {
  std::lock_guard<std::mutex> lock(mutex_);
  ticker_loads_ = std::move(loads);
}

void SimNode::Restart() { RestartAt(std::chrono::steady_clock::now(), std::chrono::system_clock::now()); }

void SimNode::RestartAt(std::chrono::steady_clock::time_point now, std::chrono::system_clock::time_point wall_now) {
  std::lock_guard<std::mutex> lock(mutex_);
  start_ = now;
  wall_start_ = wall_now;
  health_.Restart(start_);
  for (auto& [type, segments] : request_loads_) {
    RequestLoad current = segments.back().load;
    segments = {{current, start_, std::nullopt}};
  }
}

void SimNode::SetHealthState(HealthState state, bool on) {
  std::lock_guard<std::mutex> lock(mutex_);
  health_.Set(state, on, std::chrono::steady_clock::now(), std::chrono::system_clock::now());
}

void SimNode::ClearHealth() {
  std::lock_guard<std::mutex> lock(mutex_);
  health_.Clear(std::chrono::steady_clock::now());
}

std::vector<HealthState> SimNode::health_states() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return health_.active();
}

std::optional<bool> SimNode::Ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!ready_endpoint_) return std::nullopt;
  return !health_.On(HealthState::kNotReady);
}

std::vector<RequestLoad> SimNode::request_loads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<RequestLoad> loads;
  for (const auto& [type, segments] : request_loads_) loads.push_back(segments.back().load);
  return loads;
}

double SimNode::KvStallMicros() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return health_.Integral(
      std::chrono::steady_clock::now(),
      [](HealthTimeline::Mask mask) {
        return HealthTimeline::On(mask, HealthState::kWriteStall) ? kWriteStallMicrosPerSecond : 0;
      },
      false);
}

std::string SimNode::Render() const {
  return RenderAt(std::chrono::steady_clock::now(), std::chrono::system_clock::now());
}

std::string SimNode::RenderAt(std::chrono::steady_clock::time_point now,
                              std::chrono::system_clock::time_point wall_now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (raw_body_) return *raw_body_;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::map<std::string, Completed, std::less<>> completed_by_type;
  for (const auto& [type, segments] : request_loads_) {
    Completed& completed = completed_by_type[type];
    for (const LoadSegment& segment : segments) {
      completed.Add(segment.load,
                    std::chrono::duration<double>(segment.until.value_or(now) - segment.from).count());
    }
  }
  const HealthClock health_clock{health_, now, wall_now, wall_start_};
  std::string out;
  for (const MetricFamily& family : base_.families()) {
    const bool health = health_series_ && IsHealthFamily(family.name);
    if (health && HealthFamilyLeftOut(family, health_clock)) continue;
    AppendFamilyHeader(family, &out);
    const bool grpc = family.name == kGrpcFamily;
    for (Sample sample : family.samples) {
      if (health) {
        RenderHealthSample(family, health_clock, &sample);
      } else if (grpc) {
        auto found = completed_by_type.find(sample.LabelValue("type"));
        std::string_view priority = sample.LabelValue("priority");
        if (found != completed_by_type.end() && (priority.empty() || priority == "normal")) {
          const Completed& completed = found->second;
          std::string_view suffix = std::string_view(sample.name).substr(family.name.size());
          if (suffix == "_bucket") sample.value += completed.AtMost(ParseLe(sample.LabelValue("le")));
          if (suffix == "_sum") sample.value += completed.Sum();
          if (suffix == "_count") sample.value += completed.Count();
        }
      } else if (family.type == MetricType::kCounter) {
        for (const TickerLoad& ticker : ticker_loads_) {
          if (ticker.family == family.name && sample.LabelValue("db") == ticker.db &&
              sample.LabelValue("type") == ticker.type) {
            sample.value += std::floor(ticker.per_second * elapsed);
          }
        }
      }
      AppendSampleLine(sample, &out);
    }
  }
  return out;
}

}  // namespace tikv_exporter::sim
