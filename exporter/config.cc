#include "exporter/config.h"

#include <toml.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <regex>
#include <sstream>
#include <vector>

#include "collectors/http_fetcher.h"
#include "common/address.h"
#include "common/regular_file.h"
#include "common/units.h"
#include "exporter/config_bounds.h"
#include "server/basic_auth.h"
#include "server/response_headers.h"

namespace tikv_exporter {
namespace {

// Thrown inside this file only, to unwind to LoadConfig() with a located message.
struct ConfigError {
  std::string message;
};

// The file being loaded and where its lines start, for Where(). toml11 finds a value's line by
// counting newlines from the top of the file each time it is asked: once per key that was
// quadratic (6,000 expected settings took 30 s under the sanitizers).
struct SourceLines {
  std::string path;
  std::vector<size_t> starts;  // offset of each line's first byte
};
thread_local const SourceLines* current_source = nullptr;

std::string Where(const toml::value& value) {
  const auto* region = dynamic_cast<const toml::detail::region*>(toml::detail::get_region(value));
  if (current_source != nullptr && region != nullptr && !current_source->starts.empty()) {
    const size_t offset = static_cast<size_t>(region->first() - region->begin());
    const auto next_line = std::upper_bound(current_source->starts.begin(), current_source->starts.end(), offset);
    const size_t line = static_cast<size_t>(next_line - current_source->starts.begin());  // 1-based
    const size_t column = offset - current_source->starts[line - 1] + 1;
    return current_source->path + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  const toml::source_location loc = value.location();
  return loc.file_name() + ":" + std::to_string(loc.line()) + ":" + std::to_string(loc.column());
}

[[noreturn]] void Fail(const toml::value& value, const std::string& key, const std::string& what) {
  throw ConfigError{Where(value) + ": " + key + ": " + what};
}

std::string TypeName(const toml::value& value) {
  switch (value.type()) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a float";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    default:
      return "a date/time";
  }
}

// Walks one table: each known key has a handler; any other key is an error.
using Handlers = std::map<std::string, std::function<void(const toml::value&, const std::string&)>>;

void VisitTable(const toml::value& table, const std::string& section, const Handlers& handlers) {
  for (const auto& [key, value] : table.as_table()) {
    std::string name = section.empty() ? key : "[" + section + "] " + key;
    auto handler = handlers.find(key);
    if (handler == handlers.end()) {
      std::string known;
      for (const auto& [k, unused] : handlers) known += (known.empty() ? "" : ", ") + k;
      Fail(value, name, "unknown key (known here: " + known + ")");
    }
    handler->second(value, name);
  }
}

void ExpectTable(const toml::value& value, const std::string& name) {
  if (!value.is_table()) Fail(value, name, "expected a table, found " + TypeName(value));
}

std::string GetString(const toml::value& value, const std::string& name) {
  if (!value.is_string()) Fail(value, name, "expected a string, found " + TypeName(value));
  return value.as_string().str;
}

int GetInt(const toml::value& value, const std::string& name, int64_t min, int64_t max) {
  if (!value.is_integer()) Fail(value, name, "expected an integer, found " + TypeName(value));
  int64_t n = value.as_integer();
  if (n < min || n > max) {
    Fail(value, name, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                          ", found " + std::to_string(n));
  }
  return static_cast<int>(n);
}

bool GetBool(const toml::value& value, const std::string& name) {
  if (!value.is_boolean()) Fail(value, name, "expected true or false, found " + TypeName(value));
  return value.as_boolean();
}

std::string GetAddress(const toml::value& value, const std::string& name) {
  std::string text = GetString(value, name);
  StatusOr<std::string> url = NormalizeBaseUrl(text);
  if (!url.ok()) Fail(value, name, url.status().message());
  return text;
}

std::string GetChoice(const toml::value& value, const std::string& name,
                      const std::vector<std::string>& choices) {
  std::string text = GetString(value, name);
  for (const std::string& choice : choices) {
    if (text == choice) return text;
  }
  std::string list;
  for (const std::string& choice : choices) list += (list.empty() ? "" : "|") + choice;
  Fail(value, name, "\"" + text + "\" is not one of " + list);
}

const std::vector<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error"};

// A value from an enum's name table.
template <typename E, size_t N>
E GetEnum(const toml::value& value, const std::string& name, const EnumName<E> (&table)[N]) {
  const std::string text = GetString(value, name);
  if (std::optional<E> parsed = ParseEnum(table, text)) return *parsed;
  Fail(value, name, "\"" + text + "\" is not one of " + EnumNames(table));
}

// [tikv.storage] etc. hold TiKV's own settings: any key, scalar values; a string that starts
// with a digit must be a TiKV size ("512GB") or duration ("10m").
void LoadExpectedSection(const toml::value& table, const std::string& section,
                         std::map<std::string, ExpectedSetting>* out) {
  for (const auto& [key, value] : table.as_table()) {
    std::string name = "[" + section + "] " + key;
    ExpectedSetting setting;
    setting.location = Where(value);
    if (value.is_integer()) {
      setting.text = std::to_string(value.as_integer());
      setting.number = static_cast<double>(value.as_integer());
    } else if (value.is_floating()) {
      setting.text = toml::format(value);
      setting.number = value.as_floating();
    } else if (value.is_boolean()) {
      setting.text = value.as_boolean() ? "true" : "false";
    } else if (value.is_string()) {
      setting.text = value.as_string().str;
      if (!setting.text.empty() && setting.text[0] >= '0' && setting.text[0] <= '9') {
        StatusOr<uint64_t> bytes = ParseSizeBytes(setting.text);
        StatusOr<double> seconds = ParseDurationSeconds(setting.text);
        if (bytes.ok()) {
          setting.number = static_cast<double>(*bytes);
        } else if (seconds.ok()) {
          setting.number = *seconds;
        } else {
          Fail(value, name, bytes.status().message());
        }
      }
    } else {
      Fail(value, name, "expected a number, size, duration, boolean or string, found " +
                            TypeName(value));
    }
    (*out)[key] = std::move(setting);
  }
}

void LoadTikv(const toml::value& table, ExporterConfig* config) {
  Handlers handlers = {
      {"status_address",
       [&](const toml::value& v, const std::string& n) { config->status_address = GetAddress(v, n); }},
      {"pd_endpoints",
       [&](const toml::value& v, const std::string& n) {
         if (!v.is_array()) Fail(v, n, "expected an array of strings, found " + TypeName(v));
         config->pd_endpoints.clear();
         for (const toml::value& item : v.as_array()) config->pd_endpoints.push_back(GetAddress(item, n));
         if (config->pd_endpoints.empty()) Fail(v, n, "needs at least one PD endpoint");
       }},
      {"grpc_address",
       [&](const toml::value& v, const std::string& n) {
         config->grpc_address = GetString(v, n);
         if (!config->grpc_address.empty()) config->grpc_address = GetAddress(v, n);
       }},
      {"max_connections",
       [&](const toml::value& v, const std::string& n) { config->max_connections = GetInt(v, n, 1, 10000); }},
      {"timeout_ms",
       [&](const toml::value& v, const std::string& n) {
         config->timeout_ms = GetInt(v, n, 1, 600000);
         config->timeout_ms_set = true;
       }},
  };
  for (const char* section : {"storage", "raftstore", "rocksdb"}) {
    handlers[section] = [config, section](const toml::value& v, const std::string& n) {
      ExpectTable(v, n);
      LoadExpectedSection(v, std::string("tikv.") + section, &config->expected_settings[section]);
    };
  }
  VisitTable(table, "tikv", handlers);
}

void LoadExporter(const toml::value& table, ExporterConfig* config) {
  VisitTable(
      table, "exporter",
      {
          {"listen_address",
           [&](const toml::value& v, const std::string& n) {
             config->listen_address = GetString(v, n);
             StatusOr<HostPort> parsed = ParseHostPort(config->listen_address);
             if (!parsed.ok()) Fail(v, n, parsed.status().message());
           }},
          {"poll_interval_ms",
           [&](const toml::value& v, const std::string& n) {
             config->poll_interval_ms = GetInt(v, n, 10, 3600000);
           }},
          {"log_level",
           [&](const toml::value& v, const std::string& n) { config->log_level = GetChoice(v, n, kLogLevels); }},
          {"log_format",
           [&](const toml::value& v, const std::string& n) { config->log_format = GetEnum(v, n, kLogFormatNames); }},
          {"grpc_listen_address",
           [&](const toml::value& v, const std::string& n) {
             config->grpc_listen_address = GetString(v, n);
             if (config->grpc_listen_address.empty()) return;
             StatusOr<HostPort> parsed = ParseHostPort(config->grpc_listen_address);
             if (!parsed.ok()) Fail(v, n, parsed.status().message());
           }},
          {"history",
           [&](const toml::value& v, const std::string& n) { config->history = GetInt(v, n, 0, kMaxHistory); }},
          {"discovery_port_offset",
           [&](const toml::value& v, const std::string& n) {
             config->discovery_port_offset = GetInt(v, n, -65535, 65535);
           }},
          {"max_body_bytes",
           [&](const toml::value& v, const std::string& n) {
             config->max_body_bytes = GetInt(v, n, 1024, 1 << 30);
           }},
          {"max_concurrent_requests",
           [&](const toml::value& v, const std::string& n) {
             config->max_concurrent_requests = GetInt(v, n, 1, 1024);
           }},
          {"enable_lifecycle",
           [&](const toml::value& v, const std::string& n) { config->enable_lifecycle = GetBool(v, n); }},
          {"max_grpc_watchers",
           [&](const toml::value& v, const std::string& n) { config->max_grpc_watchers = GetInt(v, n, 1, 10000); }},
          {"max_series_per_poll",
           [&](const toml::value& v, const std::string& n) {
             config->max_series_per_poll = GetInt(v, n, 1, 100000000);
           }},
          {"max_labels_per_series",
           [&](const toml::value& v, const std::string& n) { config->max_labels_per_series = GetInt(v, n, 1, 1024); }},
          {"max_label_value_bytes",
           [&](const toml::value& v, const std::string& n) {
             config->max_label_value_bytes = GetInt(v, n, 16, 1 << 20);
           }},
      });
}

// Certificates, keys and CA bundles are small; a larger file is surely not one.
constexpr size_t kMaxCheckedFileBytes = 1 << 20;

// A path that must name a readable file now (certificates, keys).
std::string GetReadableFile(const toml::value& value, const std::string& name) {
  std::string path = GetString(value, name);
  if (path.empty()) return path;
  // Read without blocking: a FIFO at the path must not hang --check-config or a reload.
  if (StatusOr<std::string> read = ReadRegularFile(path, kMaxCheckedFileBytes); !read.ok()) {
    Fail(value, name, "\"" + path + "\" is not a readable file: " + read.status().message());
  }
  return path;
}

void LoadSecurity(const toml::value& table, ExporterConfig* config) {
  VisitTable(table, "security",
             {
                 {"ca_path", [&](const toml::value& v, const std::string& n) { config->ca_path = GetReadableFile(v, n); }},
                 {"cert_path",
                  [&](const toml::value& v, const std::string& n) { config->cert_path = GetReadableFile(v, n); }},
                 {"key_path", [&](const toml::value& v, const std::string& n) { config->key_path = GetReadableFile(v, n); }},
             });
  if (config->cert_path.empty() != config->key_path.empty()) {
    Fail(table, "[security]", "cert_path and key_path go together (a client certificate needs its key)");
  }
  if (!config->cert_path.empty() && config->ca_path.empty()) {
    Fail(table, "[security]", "cert_path needs ca_path: the upstream's certificate must be verified");
  }
}

void LoadWeb(const toml::value& table, ExporterConfig* config) {
  // An empty [web] (the shipped example has one, every key commented out) sets nothing.
  config->web_section_set = !table.as_table().empty();
  VisitTable(
      table, "web",
      {
          {"cert_file", [&](const toml::value& v, const std::string& n) { config->web_cert_file = GetReadableFile(v, n); }},
          {"key_file", [&](const toml::value& v, const std::string& n) { config->web_key_file = GetReadableFile(v, n); }},
          {"client_ca_file",
           [&](const toml::value& v, const std::string& n) { config->web_client_ca_file = GetReadableFile(v, n); }},
          {"min_version",
           [&](const toml::value& v, const std::string& n) {
             config->web_min_tls_version = GetChoice(v, n, {"TLS12", "TLS13"});
           }},
          {"basic_auth_users",
           [&](const toml::value& v, const std::string& n) {
             ExpectTable(v, n);
             for (const auto& [user, hash] : v.as_table()) {
               const std::string key = "[web.basic_auth_users] " + user;
               std::string text = GetString(hash, key);
               if (user.empty() || user.find(':') != std::string::npos) Fail(hash, key, "a user name cannot be empty or contain ':'");
               if (Status valid = ValidateBcryptHash(text); !valid.ok()) {
                 Fail(hash, key, "expected a bcrypt hash ($2b$10$..., 60 characters; make one with "
                                 "tikv-exporter --hash-password): " + valid.message());
               }
               config->web_basic_auth_users[user] = std::move(text);
             }
           }},
          {"headers",
           [&](const toml::value& v, const std::string& n) {
             ExpectTable(v, n);
             for (const auto& [name, value] : v.as_table()) {
               const std::string key = "[web.headers] " + name;
               const std::string text = GetString(value, key);
               StatusOr<std::string> canonical = CanonicalResponseHeader(name, text);
               if (!canonical.ok()) Fail(value, key, canonical.status().message());
               if (config->web_headers.count(*canonical) > 0) Fail(value, key, "set twice (names ignore case)");
               if (!text.empty()) config->web_headers[*canonical] = text;
             }
           }},
      });
  if (config->web_cert_file.empty() != config->web_key_file.empty()) {
    Fail(table, "[web]", "cert_file and key_file go together");
  }
  if (!config->web_client_ca_file.empty() && config->web_cert_file.empty()) {
    Fail(table, "[web]", "client_ca_file needs cert_file and key_file (client certificates need TLS)");
  }
}

std::string FormatNumber(double n) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", n);
  return text;
}

double GetNumber(const toml::value& value, const std::string& name, double min, double max) {
  if (!value.is_integer() && !value.is_floating()) Fail(value, name, "expected a number, found " + TypeName(value));
  const double n = value.is_integer() ? static_cast<double>(value.as_integer()) : value.as_floating();
  if (!(n >= min && n <= max)) {
    Fail(value, name, "must be between " + FormatNumber(min) + " and " + FormatNumber(max) + ", found " + FormatNumber(n));
  }
  return n;
}

// [health]: each two-level threshold is a pair of keys, <name>_warning and <name>_critical.
struct ThresholdKey {
  const char* name;
  HealthThreshold HealthThresholds::*member;
  double max;
};
constexpr ThresholdKey kThresholdKeys[] = {
    {"slow_score", &HealthThresholds::slow_score, 100},
    {"raft_write_p99_seconds", &HealthThresholds::raft_write_p99_seconds, 86400},
    {"scheduler_latch_wait_p99_seconds", &HealthThresholds::scheduler_latch_wait_p99_seconds, 86400},
    {"busy_rejections_per_second", &HealthThresholds::busy_rejections_per_second, 1e9},
    {"write_stall_ratio", &HealthThresholds::write_stall_ratio, 1},
    {"flow_control_discard_ratio", &HealthThresholds::flow_control_discard_ratio, 1},
    {"grpc_failure_ratio", &HealthThresholds::grpc_failure_ratio, 1},
    {"thread_pool_busy_ratio", &HealthThresholds::thread_pool_busy_ratio, 1e3},
    {"cpu_quota_ratio", &HealthThresholds::cpu_quota_ratio, 1e3},
    {"gc_safe_point_lag_seconds", &HealthThresholds::gc_safe_point_lag_seconds, 1e9},
    {"resolved_ts_gap_seconds", &HealthThresholds::resolved_ts_gap_seconds, 1e9},
};

void LoadHealth(const toml::value& table, HealthThresholds* health) {
  Handlers handlers = {
      {"disk_available_ratio_warning",
       [&](const toml::value& v, const std::string& n) { health->disk_available_ratio_warning = GetNumber(v, n, 0, 1); }},
      // TiDB accepts tidb_gc_life_time from 10 min to 8760 h; 0 leaves it unstated.
      {"gc_life_time_seconds",
       [&](const toml::value& v, const std::string& n) {
         const double seconds = GetNumber(v, n, 0, 1e12);
         if ((seconds > 0 && seconds < 600) || seconds > kGcMaxLifeTimeSeconds) {
           Fail(v, n, "tidb_gc_life_time runs from 600 (10 min) to 31536000 (8760 h), or 0 for not stated, found " +
                          std::to_string(static_cast<int64_t>(seconds)));
         }
         health->gc_life_time_seconds = seconds;
       }},
      {"gc_advance_window_seconds",
       [&](const toml::value& v, const std::string& n) { health->gc_advance_window_seconds = GetNumber(v, n, 1, 7 * 86400); }},
      {"disabled",
       [&](const toml::value& v, const std::string& n) {
         if (!v.is_array()) Fail(v, n, "expected an array of check names, found " + TypeName(v));
         for (const toml::value& name : v.as_array()) health->disabled.insert(GetEnum(name, n, kHealthCheckNames));
       }},
  };
  std::map<std::string, const toml::value*> warnings;  // name -> its _warning value, for the order check
  for (const ThresholdKey& key : kThresholdKeys) {
    HealthThreshold& threshold = health->*key.member;
    handlers[std::string(key.name) + "_warning"] = [&, key](const toml::value& v, const std::string& n) {
      threshold.warning = GetNumber(v, n, 0, key.max);
      warnings[key.name] = &v;
    };
    handlers[std::string(key.name) + "_critical"] = [&, key](const toml::value& v, const std::string& n) {
      threshold.critical = GetNumber(v, n, 0, key.max);
    };
  }
  VisitTable(table, "health", handlers);
  for (const ThresholdKey& key : kThresholdKeys) {
    const HealthThreshold& threshold = health->*key.member;
    if (threshold.warning > threshold.critical) {
      auto located = warnings.find(key.name);
      Fail(located != warnings.end() ? *located->second : table, "[health] " + std::string(key.name) + "_warning",
           FormatNumber(threshold.warning) + " is above " + key.name + "_critical (" +
               FormatNumber(threshold.critical) + "): a warning must come first");
    }
  }
}

void LoadCollectors(const toml::value& table, ExporterConfig* config) {
  auto strings = [](const toml::value& v, const std::string& n, bool label_names) {
    if (!v.is_array()) Fail(v, n, "expected an array of strings, found " + TypeName(v));
    std::vector<std::string> out;
    for (const toml::value& item : v.as_array()) {
      std::string text = GetString(item, n);
      if (text.empty()) Fail(item, n, "empty pattern");
      if (label_names) {
        if (text == "le" || text == "quantile") Fail(item, n, "\"" + text + "\" cannot be dropped: histograms and summaries need it");
        for (char c : text) {
          if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) Fail(item, n, "\"" + text + "\" is not a label name");
        }
      }
      out.push_back(std::move(text));
    }
    return out;
  };
  VisitTable(table, "collectors",
             {
                 {"tikv",
                  [&](const toml::value& v, const std::string& n) {
                    ExpectTable(v, n);
                    VisitTable(v, "collectors.tikv",
                               {{"enabled", [&](const toml::value& e, const std::string& en) { config->tikv_enabled = GetBool(e, en); }},
                                {"relay", [&](const toml::value& e, const std::string& en) { config->relay = strings(e, en, false); }},
                                {"relay_drop", [&](const toml::value& e, const std::string& en) { config->relay_drop = strings(e, en, false); }},
                                {"relay_drop_labels",
                                 [&](const toml::value& e, const std::string& en) { config->relay_drop_labels = strings(e, en, true); }}});
                  }},
                 {"pd",
                  [&](const toml::value& v, const std::string& n) {
                    ExpectTable(v, n);
                    VisitTable(v, "collectors.pd",
                               {{"enabled",
                                 [&](const toml::value& e, const std::string& en) {
                                   config->pd_enabled = GetBool(e, en);
                                 }},
                                {"protocol",
                                 [&](const toml::value& e, const std::string& en) {
                                   config->pd_protocol = GetEnum(e, en, kPdProtocolNames);
                                 }},
                                {"local_store_id",
                                 [&](const toml::value& e, const std::string& en) {
                                   config->pd_local_store_id = GetInt(e, en, 0, INT32_MAX);
                                 }},
                                {"region_ttl_ms",
                                 [&](const toml::value& e, const std::string& en) {
                                   config->pd_region_ttl_ms = GetInt(e, en, 1000, 86400000);
                                 }},
                                {"store_series", [&](const toml::value& e, const std::string& en) {
                                   config->pd_store_series = GetEnum(e, en, kStoreSeriesNames);
                                 }}});
                  }},
                 {"rocksdb",
                  [&](const toml::value& v, const std::string& n) {
                    ExpectTable(v, n);
                    VisitTable(v, "collectors.rocksdb",
                               {{"enabled",
                                 [&](const toml::value& e, const std::string& en) {
                                   config->rocksdb_enabled = GetBool(e, en);
                                 }},
                                {"log_path",
                                 [&](const toml::value& e, const std::string& en) {
                                   config->rocksdb_log_path = GetString(e, en);
                                 }},
                                {"source",
                                 [&](const toml::value& e, const std::string& en) {
                                   config->rocksdb_source = GetEnum(e, en, kRocksDbSourceNames);
                                 }},
                                // Each debug-service call also carries TiKV's whole /metrics text.
                                {"interval_ms", [&](const toml::value& e, const std::string& en) {
                                   config->rocksdb_interval_ms = GetInt(e, en, 1000, 86400000);
                                 }}});
                    if (config->rocksdb_source == RocksDbSource::kLog && config->rocksdb_log_path.empty()) {
                      Fail(v, "[collectors.rocksdb] log_path", "is empty, but source = \"log\" reads it");
                    }
                  }},
             });
}

// toml11 3.7 shows the offending line as " 2 | text" inside its message: ":2" from that.
std::string SyntaxErrorLine(const std::string& message) {
  std::smatch match;
  if (std::regex_search(message, match, std::regex(R"(\n *([0-9]+) \| )"))) return ":" + match[1].str();
  return "";
}


}  // namespace

std::string TikvGrpcAddress(const ExporterConfig& config) {
  if (!config.grpc_address.empty()) return config.grpc_address;
  // Validated by LoadConfig; TiKV's default gRPC port (server.addr) on the status server's host.
  const StatusOr<HostPort> status = ParseHostPort(WithoutScheme(config.status_address));
  if (!status.ok()) return "127.0.0.1:20160";
  const bool v6 = status->host.find(':') != std::string::npos;
  return (v6 ? "[" + status->host + "]" : status->host) + ":20160";
}

size_t HistorySize(const ExporterConfig& config) {
  if (config.history > 0) return static_cast<size_t>(std::min(config.history, kMaxHistory));
  const int interval = std::max(config.poll_interval_ms, 1);
  return static_cast<size_t>(std::min((3'600'000 + interval - 1) / interval, kMaxDerivedHistory));
}

StatusOr<ExporterConfig> LoadConfig(const std::string& path) {
  StatusOr<std::string> text = ReadRegularFile(path, ConfigBounds::kMaxFileBytes);
  if (!text.ok()) return text.status().Prefixed(path + ": cannot read the config file: ");
  if (Status bounded = CheckConfigBounds(*text, path); !bounded.ok()) {
    return Status::InvalidArgument(bounded.message() + " (docs/operations.md lists what a config may hold)");
  }
  ExporterConfig config;
  config.source_path = path;
  SourceLines lines{path, {0}};
  for (size_t i = 0; i < text->size(); ++i) {
    if ((*text)[i] == '\n') lines.starts.push_back(i + 1);
  }
  current_source = &lines;
  struct Reset {
    ~Reset() { current_source = nullptr; }
  } reset;
  try {
    std::istringstream stream(std::move(*text));
    const toml::value root = toml::parse(stream, path);
    config.empty_file = root.is_table() && root.as_table().empty();
    VisitTable(root, "",
               {
                   {"tikv",
                    [&](const toml::value& v, const std::string& n) {
                      ExpectTable(v, n);
                      LoadTikv(v, &config);
                    }},
                   {"exporter",
                    [&](const toml::value& v, const std::string& n) {
                      ExpectTable(v, n);
                      LoadExporter(v, &config);
                    }},
                   {"collectors",
                    [&](const toml::value& v, const std::string& n) {
                      ExpectTable(v, n);
                      LoadCollectors(v, &config);
                    }},
                   {"security",
                    [&](const toml::value& v, const std::string& n) {
                      ExpectTable(v, n);
                      LoadSecurity(v, &config);
                    }},
                   {"web",
                    [&](const toml::value& v, const std::string& n) {
                      ExpectTable(v, n);
                      LoadWeb(v, &config);
                    }},
                   {"health",
                    [&](const toml::value& v, const std::string& n) {
                      ExpectTable(v, n);
                      LoadHealth(v, &config.health);
                    }},
               });
  } catch (const ConfigError& e) {
    return Status::InvalidArgument(e.message);
  } catch (const toml::syntax_error& e) {
    return Status::InvalidArgument(path + SyntaxErrorLine(e.what()) + ": TOML syntax error: " + e.what());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  if (!config.timeout_ms_set) config.timeout_ms = std::min(config.timeout_ms, config.poll_interval_ms);
  if (Status status = ValidateConfig(config); !status.ok()) return status.Prefixed(path + ": ");
  return config;
}

Status ValidateConfig(const ExporterConfig& config) {
  auto is_one_of = [](const std::string& v, const std::vector<std::string>& choices) {
    for (const std::string& c : choices) {
      if (v == c) return true;
    }
    return false;
  };
  if (!is_one_of(config.log_level, kLogLevels)) {
    return Status::InvalidArgument("log level \"" + config.log_level + "\" is not one of trace|debug|info|warn|error");
  }
  if (StatusOr<HostPort> listen = ParseHostPort(config.listen_address); !listen.ok()) {
    return Status::InvalidArgument("listen address: " + listen.status().message());
  }
  if (config.timeout_ms > config.poll_interval_ms) {
    return Status::InvalidArgument("timeout_ms (" + std::to_string(config.timeout_ms) +
                         ") must not exceed poll_interval_ms (" +
                         std::to_string(config.poll_interval_ms) + ")");
  }
  return Status::Ok();
}

}  // namespace tikv_exporter
