#include "exporter/config.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

namespace tikv_exporter {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("tikv-exporter-config-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml"))
                .string();
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  // Loads `text` and expects an error containing `file:line` and every part of `expected`.
  void ExpectError(const std::string& text, int line, std::initializer_list<const char*> expected) {
    StatusOr<ExporterConfig> config = LoadConfig(Write(text));
    ASSERT_FALSE(config.ok());
    const std::string message = config.status().message();
    EXPECT_NE(message.find(path_ + ":" + std::to_string(line) + ":"), std::string::npos) << message;
    for (const char* part : expected) EXPECT_NE(message.find(part), std::string::npos) << message;
  }
  std::string path_;
};

TEST_F(ConfigTest, TheSeedConfigLoadsUnchanged) {
  StatusOr<ExporterConfig> config = LoadConfig(std::string(TESTDATA_DIR) + "/seed-config.toml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->status_address, "127.0.0.1:20180");  // not in the seed: the default
  EXPECT_EQ(config->pd_endpoints, std::vector<std::string>{"localhost:2379"});
  EXPECT_EQ(config->max_connections, 100);
  EXPECT_EQ(config->timeout_ms, 5000);
  const auto& storage = config->expected_settings.at("storage");
  EXPECT_EQ(storage.at("capacity").text, "512GB");
  EXPECT_DOUBLE_EQ(*storage.at("capacity").number, 512.0 * (1ULL << 30));
  EXPECT_DOUBLE_EQ(*storage.at("reserve_space").number, 50.0 * (1ULL << 30));
  EXPECT_DOUBLE_EQ(*storage.at("max_background_jobs").number, 8);
  EXPECT_DOUBLE_EQ(*config->expected_settings.at("raftstore").at("notify_capacity").number, 40960);
  EXPECT_DOUBLE_EQ(*config->expected_settings.at("rocksdb").at("block_cache_size").number,
                   10.0 * (1ULL << 30));
  EXPECT_DOUBLE_EQ(*config->expected_settings.at("rocksdb").at("write_buffer_size").number,
                   128.0 * (1ULL << 20));
}

TEST_F(ConfigTest, LoadsEveryKey) {
  StatusOr<ExporterConfig> config = LoadConfig(Write(R"(
[tikv]
status_address = "https://10.0.0.1:20180"
pd_endpoints = ["pd-0:2379", "http://pd-1:2379"]
max_connections = 4
timeout_ms = 2000

[exporter]
listen_address = "127.0.0.1:9999"
poll_interval_ms = 10000
log_level = "debug"
log_format = "json"
max_body_bytes = 1048576

[collectors.tikv]
enabled = true
[collectors.pd]
enabled = false
[collectors.rocksdb]
enabled = false
log_path = "/data/tikv/rocksdb.info"
)"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->status_address, "https://10.0.0.1:20180");
  EXPECT_EQ(config->pd_endpoints.size(), 2u);
  EXPECT_EQ(config->max_connections, 4);
  EXPECT_EQ(config->timeout_ms, 2000);
  EXPECT_EQ(config->listen_address, "127.0.0.1:9999");
  EXPECT_EQ(config->poll_interval_ms, 10000);
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->log_format, LogFormat::kJson);
  EXPECT_EQ(config->max_body_bytes, 1048576);
  EXPECT_TRUE(config->tikv_enabled);
  EXPECT_FALSE(config->pd_enabled);
  EXPECT_FALSE(config->rocksdb_enabled);
  EXPECT_EQ(config->rocksdb_log_path, "/data/tikv/rocksdb.info");
}

TEST_F(ConfigTest, AWrongTypeNamesFileLineAndKey) {
  ExpectError("[tikv]\n\ntimeout_ms = \"5s\"\n", 3, {"[tikv] timeout_ms", "expected an integer, found a string"});
}

TEST_F(ConfigTest, AnUnknownKeyNamesFileLineAndKey) {
  ExpectError("[tikv]\nmax_connections = 1\ntimeout = 5\n", 3, {"[tikv] timeout", "unknown key"});
  ExpectError("[exporter]\nlisten_adress = \"0.0.0.0:1\"\n", 2, {"[exporter] listen_adress", "unknown key"});
  ExpectError("[collectors.pd]\nenable = true\n", 2, {"[collectors.pd] enable", "unknown key"});
}

TEST_F(ConfigTest, AMalformedAddressNamesFileLineAndKey) {
  ExpectError("[tikv]\nstatus_address = \"127.0.0.1\"\n", 2, {"[tikv] status_address", "127.0.0.1"});
  ExpectError("[tikv]\npd_endpoints = [\"pd:2379\", \"pd:99999\"]\n", 2, {"[tikv] pd_endpoints", "pd:99999"});
  ExpectError("[exporter]\nlisten_address = \"http://x:1/path\"\n", 2, {"[exporter] listen_address"});
}

TEST_F(ConfigTest, OutOfRangeAndBadChoicesAreErrors) {
  ExpectError("[tikv]\nmax_connections = 0\n", 2, {"[tikv] max_connections", "between 1 and"});
  ExpectError("[exporter]\nlog_level = \"verbose\"\n", 2, {"[exporter] log_level", "trace|debug|info|warn|error"});
  ExpectError("[exporter]\nlog_format = \"xml\"\n", 2, {"[exporter] log_format", "text|json"});
}

TEST_F(ConfigTest, ExpectedSettingsMustBeSizesOrNumbers) {
  ExpectError("[tikv.storage]\ncapacity = \"512XB\"\n", 2, {"[tikv.storage] capacity", "unknown size unit"});
  ExpectError("[tikv.rocksdb]\nblock_cache_size = [1]\n", 2, {"[tikv.rocksdb] block_cache_size"});
}

TEST_F(ConfigTest, ASyntaxErrorNamesTheLine) {
  StatusOr<ExporterConfig> config = LoadConfig(Write("[tikv]\ntimeout_ms = = 5\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(path_ + ":2: TOML syntax error"), std::string::npos)
      << config.status().message();
}

TEST_F(ConfigTest, AMissingFileIsAnError) {
  StatusOr<ExporterConfig> config = LoadConfig("/nonexistent/tikv-exporter.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/nonexistent/tikv-exporter.toml"), std::string::npos);
}

TEST_F(ConfigTest, TimeoutMayNotExceedTheInterval) {
  StatusOr<ExporterConfig> config =
      LoadConfig(Write("[tikv]\ntimeout_ms = 3000\n[exporter]\npoll_interval_ms = 1000\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("timeout_ms"), std::string::npos);
}

TEST_F(ConfigTest, AnUnsetTimeoutFollowsAShorterInterval) {
  StatusOr<ExporterConfig> shorter = LoadConfig(Write("[exporter]\npoll_interval_ms = 1000\n"));
  ASSERT_TRUE(shorter.ok()) << shorter.status().message();
  EXPECT_EQ(shorter->timeout_ms, 1000);
  StatusOr<ExporterConfig> longer = LoadConfig(Write("[exporter]\npoll_interval_ms = 60000\n"));
  ASSERT_TRUE(longer.ok()) << longer.status().message();
  EXPECT_EQ(longer->timeout_ms, 5000);
}

TEST_F(ConfigTest, AnEmptyFileGivesTheDefaults) {
  StatusOr<ExporterConfig> config = LoadConfig(Write(""));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->listen_address, "0.0.0.0:20190");
  EXPECT_EQ(config->poll_interval_ms, 15000);
  EXPECT_EQ(config->rocksdb_log_path, "/var/lib/tikv/rocksdb.info");
}

TEST_F(ConfigTest, SecurityAndWebSectionsLoad) {
  const std::string cert = Write("");  // any readable file stands in for a certificate here
  const std::string hash = "$2b$10$" + std::string(21, 'a') + "e" + std::string(31, 'a');
  StatusOr<ExporterConfig> config = LoadConfig(Write(
      "[security]\nca_path = \"" + cert + "\"\ncert_path = \"" + cert + "\"\nkey_path = \"" + cert +
      "\"\n[web]\ncert_file = \"" + cert + "\"\nkey_file = \"" + cert +
      "\"\nmin_version = \"TLS13\"\n[web.basic_auth_users]\nalice = \"" + hash +
      "\"\n[exporter]\nmax_concurrent_requests = 4\nmax_grpc_watchers = 2\nmax_series_per_poll = 1000\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->ca_path, path_);
  EXPECT_EQ(config->web_min_tls_version, "TLS13");
  EXPECT_EQ(config->web_basic_auth_users.at("alice"), hash);
  EXPECT_EQ(config->max_concurrent_requests, 4);
  EXPECT_EQ(config->max_grpc_watchers, 2);
  EXPECT_EQ(config->max_series_per_poll, 1000);
}

TEST_F(ConfigTest, SecurityAndWebMistakesNameTheLineAndKey) {
  ExpectError("[web.basic_auth_users]\nalice = \"hunter2\"\n", 2, {"[web.basic_auth_users] alice", "bcrypt"});
  ExpectError("[security]\nca_path = \"/nonexistent/ca.crt\"\n", 2, {"[security] ca_path", "not a readable file"});
  ExpectError("[web]\nmin_version = \"TLS10\"\n", 2, {"[web] min_version", "TLS12|TLS13"});
  ExpectError("[exporter]\nmax_concurrent_requests = 0\n", 2, {"max_concurrent_requests", "between 1"});
  StatusOr<ExporterConfig> half = LoadConfig(Write("[security]\ncert_path = \"" + Write("") + "\"\n"));
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("cert_path and key_path go together"), std::string::npos)
      << half.status().message();
}

TEST_F(ConfigTest, WebHeadersAreTheFiveExporterToolkitAllows) {
  StatusOr<ExporterConfig> config = LoadConfig(Write(
      "[web.headers]\n\"x-frame-options\" = \"sameorigin\"\n\"Strict-Transport-Security\" = \"max-age=63072000\"\n"
      "\"Content-Security-Policy\" = \"\"\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->web_section_set);
  EXPECT_EQ(config->web_headers, (std::map<std::string, std::string>{{"Strict-Transport-Security", "max-age=63072000"},
                                                                     {"X-Frame-Options", "sameorigin"}}));
  ExpectError("[web.headers]\nServer = \"nginx\"\n", 2, {"[web.headers] Server", "cannot be set"});
  ExpectError("[web.headers]\n\"X-Content-Type-Options\" = \"sniff\"\n", 2, {"X-Content-Type-Options", "is not nosniff"});
  ExpectError("[web.headers]\n\"X-XSS-Protection\" = \"1\\r\\nSet-Cookie: a=b\"\n", 2, {"not printable ASCII"});
  // Two spellings of one header are two TOML keys, in no defined order: either one is named.
  StatusOr<ExporterConfig> twice =
      LoadConfig(Write("[web.headers]\n\"X-Frame-Options\" = \"deny\"\n\"x-frame-options\" = \"deny\"\n"));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("set twice (names ignore case)"), std::string::npos) << twice.status().message();
  // An empty [web] table, as the shipped example has, sets nothing: --web.config.file may come.
  StatusOr<ExporterConfig> without = LoadConfig(Write("[exporter]\npoll_interval_ms = 1000\n[web]\n"));
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without->web_section_set);
}

// Issue 24: the default grows linearly with the cluster (witnesses), all and local stay choices.
TEST_F(ConfigTest, PdStoreSeriesIsWitnessesByDefaultOrAllOrLocal) {
  StatusOr<ExporterConfig> config = LoadConfig(Write("[collectors.pd]\nstore_series = \"local\"\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->pd_store_series, StoreSeries::kLocal);
  EXPECT_EQ(LoadConfig(Write("[collectors.pd]\nstore_series = \"all\"\n")).value().pd_store_series, StoreSeries::kAll);
  EXPECT_EQ(LoadConfig(Write("")).value().pd_store_series, StoreSeries::kWitnesses);
  ExpectError("[collectors.pd]\nstore_series = \"mine\"\n", 2,
              {"[collectors.pd] store_series", "witnesses|all|local"});
}

TEST_F(ConfigTest, RocksDbSourceIsAutoByDefaultWithItsOwnInterval) {
  StatusOr<ExporterConfig> defaults = LoadConfig(Write("[tikv]\nstatus_address = \"10.0.1.5:20180\"\n"));
  ASSERT_TRUE(defaults.ok()) << defaults.status().message();
  EXPECT_EQ(defaults->rocksdb_source, RocksDbSource::kAuto);
  EXPECT_EQ(defaults->rocksdb_interval_ms, 60000);
  // TiKV's gRPC port on the status server's host.
  EXPECT_EQ(TikvGrpcAddress(*defaults), "10.0.1.5:20160");
  defaults->status_address = "https://[::1]:20180";
  EXPECT_EQ(TikvGrpcAddress(*defaults), "[::1]:20160");

  StatusOr<ExporterConfig> set = LoadConfig(
      Write("[tikv]\ngrpc_address = \"tikv-0.tikv-peer:20160\"\n"
            "[collectors.rocksdb]\nsource = \"debug_service\"\ninterval_ms = 15000\n"));
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->rocksdb_source, RocksDbSource::kDebugService);
  EXPECT_EQ(set->rocksdb_interval_ms, 15000);
  EXPECT_EQ(TikvGrpcAddress(*set), "tikv-0.tikv-peer:20160");
  StatusOr<ExporterConfig> log = LoadConfig(Write("[collectors.rocksdb]\nsource = \"log\"\n"));
  ASSERT_TRUE(log.ok()) << log.status().message();
  EXPECT_EQ(log->rocksdb_source, RocksDbSource::kLog);
}

TEST_F(ConfigTest, RocksDbSourceMistakesNameTheLineAndKey) {
  ExpectError("[collectors.rocksdb]\nsource = \"grpc\"\n", 2,
              {"[collectors.rocksdb] source", "\"grpc\" is not one of auto|debug_service|log"});
  ExpectError("[collectors.rocksdb]\nsource = 1\n", 2, {"[collectors.rocksdb] source", "expected a string"});
  ExpectError("[collectors.rocksdb]\ninterval_ms = 500\n", 2,
              {"[collectors.rocksdb] interval_ms", "between 1000 and 86400000, found 500"});
  ExpectError("[collectors.rocksdb]\ninterval_ms = \"60s\"\n", 2, {"[collectors.rocksdb] interval_ms", "expected an integer"});
  ExpectError("[tikv]\ngrpc_address = \"tikv-0\"\n", 2, {"[tikv] grpc_address"});
  ExpectError("[collectors.rocksdb]\nsource = \"log\"\nlog_path = \"\"\n", 1,
              {"[collectors.rocksdb] log_path", "source = \"log\""});
}

TEST_F(ConfigTest, HealthThresholdsAndDisabledChecksLoad) {
  StatusOr<ExporterConfig> config = LoadConfig(Write(
      "[health]\ndisk_available_ratio_warning = 0.1\nraft_write_p99_seconds_warning = 0.2\n"
      "raft_write_p99_seconds_critical = 2\nslow_score_critical = 100\ndisabled = [\"resolved_ts\", \"gc_safe_point\"]\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->health.disk_available_ratio_warning, 0.1);
  EXPECT_EQ(config->health.raft_write_p99_seconds.warning, 0.2);
  EXPECT_EQ(config->health.raft_write_p99_seconds.critical, 2);
  EXPECT_EQ(config->health.slow_score.warning, 50) << "a key left out keeps its default";
  EXPECT_EQ(config->health.slow_score.critical, 100);
  EXPECT_EQ(config->health.disabled, (std::set<HealthCheck>{HealthCheck::kResolvedTs, HealthCheck::kGcSafePoint}));
  const HealthThresholds defaults = LoadConfig(Write("")).value().health;
  EXPECT_EQ(defaults.gc_safe_point_lag_seconds.critical, 86400);
  EXPECT_TRUE(defaults.disabled.empty());
}

TEST_F(ConfigTest, HealthMistakesNameTheLineAndKey) {
  ExpectError("[health]\nslow_score_warning = 90\n", 2,
              {"[health] slow_score_warning", "90 is above slow_score_critical (80)"});
  ExpectError("[health]\ngrpc_failure_ratio_critical = 1.5\n", 2,
              {"[health] grpc_failure_ratio_critical", "between 0 and 1, found 1.5"});
  ExpectError("[health]\n\ndisabled = [\"disk\"]\n", 3, {"[health] disabled", "\"disk\" is not one of tikv_reachable|"});
  ExpectError("[health]\nslow_score = 80\n", 2, {"[health] slow_score", "unknown key", "slow_score_critical"});
  ExpectError("[health]\nresolved_ts_gap_seconds_warning = \"1m\"\n", 2, {"expected a number, found a string"});
  // TiDB's tidb_gc_life_time runs from 10 min to 8760 h.
  ExpectError("[health]\ngc_life_time_seconds = 300\n", 2,
              {"[health] gc_life_time_seconds", "runs from 600 (10 min) to 31536000 (8760 h), or 0 for not stated, found 300"});
  ExpectError("[health]\ngc_life_time_seconds = 31536001\n", 2, {"[health] gc_life_time_seconds", "found 31536001"});
  ExpectError("[health]\ngc_advance_window_seconds = 0\n", 2, {"[health] gc_advance_window_seconds", "between 1 and"});
}

TEST_F(ConfigTest, TheGcLifeTimeIsUnstatedUntilTheOperatorStatesIt) {
  EXPECT_EQ(LoadConfig(Write("")).value().health.gc_life_time_seconds, 0);
  EXPECT_EQ(LoadConfig(Write("")).value().health.gc_advance_window_seconds, 1800);
  StatusOr<ExporterConfig> config = LoadConfig(Write("[health]\ngc_life_time_seconds = 86400\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->health.gc_life_time_seconds, 86400);
}

// A hash crypt(3) cannot match, or one whose cost would make every check take days (and the
// exporter spin at start without listening), is refused at --check-config and at reload.
TEST_F(ConfigTest, BcryptHashesAreValidatedFullyNamingTheUser) {
  const std::string salt_and_hash = std::string(21, 'a') + "e" + std::string(31, 'a');
  ExpectError("[web.basic_auth_users]\nalice = \"$2b$10$" + salt_and_hash + "\"\nbob = \"$2b$31$" + salt_and_hash + "\"\n",
              3, {"[web.basic_auth_users] bob", "bcrypt cost 31 is outside 4..14"});
  ExpectError("[web.basic_auth_users]\nbob = \"$2b$10$" + std::string(21, 'a') + "a" + std::string(31, 'a') + "\"\n",
              2, {"[web.basic_auth_users] bob", "salt's last character"});
  ExpectError("[web.basic_auth_users]\nbob = \"$2b$10$" + std::string(21, '*') + "e" + std::string(31, 'a') + "\"\n",
              2, {"[web.basic_auth_users] bob", "not in bcrypt's alphabet"});
}

std::string Repeat(const std::string& text, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += text;
  return out;
}

// toml11 parses nested arrays and inline tables recursively: 10,000 "[" overflowed the stack
// and killed the process. The text is checked before toml11 sees it.
TEST_F(ConfigTest, DeepNestingIsRefusedBeforeParsingNamingTheLine) {
  ExpectError("[tikv]\nx = " + std::string(10000, '[') + std::string(10000, ']') + "\n", 2,
              {"nested more than 16 deep"});
  ExpectError("# a comment\nx = " + std::string(10000, '[') + "\n", 2, {"nested more than 16 deep"});
  ExpectError("[exporter]\n\nx = " + Repeat("{a = ", 5000) + "1" + std::string(5000, '}') + "\n", 3,
              {"nested more than 16 deep"});
  ExpectError("x = " + Repeat("[{a = ", 3000) + "\n", 1, {"nested more than 16 deep"});
  ExpectError("x = [\n" + Repeat("[\n", 10000), 17, {"nested more than 16 deep"});
  ExpectError(Repeat("a.", 5000) + "b = 1\n", 1, {"more than 8 dotted parts"});
  ExpectError("[" + Repeat("a.", 5000) + "b]\n", 1, {"more than 8 dotted parts"});
}

// Brackets inside strings and comments are not nesting: a config full of them loads.
TEST_F(ConfigTest, BracketsInStringsAndCommentsDoNotCount) {
  const std::string brackets = std::string(40, '[') + std::string(40, '{');
  StatusOr<ExporterConfig> config = LoadConfig(Write(
      "# " + brackets + "\n"
      "[collectors.tikv]  # " + brackets + "\n"
      "relay = [\"tikv_" + brackets + "\", 'tikv_" + brackets + "\\', # " + brackets + "\n"
      "  \"\"\"tikv_" + brackets + "\n" + brackets + "\"\"\", '''" + brackets + "\n''',\n"
      "  \"esc\\\"" + brackets + "\", \"x\\\\\", \"\"\"q\"\"\"\"\", '''q''''',\n"
      "]\n"
      "[\"tikv\".\"storage\"]\n\"a.b[[[\" = 1\n'c{{{' = \"on\"\n"
      "[exporter]\nlog_level = \"debug\"  # ]]]\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->relay.size(), 8u);
  EXPECT_EQ(config->relay[0], "tikv_" + brackets);
  EXPECT_EQ(config->relay[1], "tikv_" + brackets + "\\");
  EXPECT_EQ(config->relay[2], "tikv_" + brackets + "\n" + brackets);
  EXPECT_EQ(config->relay[3], brackets + "\n");
  EXPECT_EQ(config->relay[4], "esc\"" + brackets);
  EXPECT_EQ(config->relay[5], "x\\");
  EXPECT_EQ(config->relay[6], "q\"\"");
  EXPECT_EQ(config->relay[7], "q''");
  EXPECT_EQ(config->expected_settings.at("storage").at("a.b[[[").text, "1");
  EXPECT_EQ(config->log_level, "debug");
  // Nesting up to the bound is fine (the loader then refuses the key, as any unknown key).
  ExpectError("[tikv]\nx = " + std::string(16, '[') + std::string(16, ']') + "\n", 2, {"[tikv] x", "unknown key"});
}

// toml11 spends time per value in proportion to the length of its line, and string arrays
// parsed quadratically (10,000 strings took 30 s): what a config may hold is bounded, and a
// file beyond a bound is refused at once.
TEST_F(ConfigTest, LargeArraysFilesLinesAndStringsAreRefusedQuickly) {
  std::string elements;
  for (int i = 0; i < 100000; ++i) elements += "  \"tikv_family_" + std::to_string(i) + "\",\n";
  auto start = std::chrono::steady_clock::now();
  StatusOr<ExporterConfig> huge = LoadConfig(Write("[collectors.tikv]\nrelay = [\n" + elements + "]\n"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("larger than 262144 bytes"), std::string::npos) << huge.status().message();

  elements.resize(elements.find("tikv_family_5000\""));
  start = std::chrono::steady_clock::now();
  ExpectError("[collectors.tikv]\nrelay = [\n" + elements + "]\n", 1003, {"array with more than 1000 elements"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));

  std::string one_line;
  for (int i = 0; i < 10000; ++i) one_line += "\"tikv_family_" + std::to_string(i) + "\", ";
  start = std::chrono::steady_clock::now();
  ExpectError("[collectors.tikv]\nrelay = [" + one_line + "]\n", 2, {"line longer than 8192 bytes"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));

  // Fewer elements, but on one long line: toml11 reads the whole line for each of them.
  std::string long_line;
  for (int i = 0; i < 300; ++i) long_line += "\"tikv_family_" + std::to_string(i) + "\", ";
  ExpectError("[collectors.tikv]\nrelay = [" + long_line + "]\n", 2, {"too many values on long lines", "one element per line"});
  std::string escapes;
  for (int i = 0; i < 30; ++i) escapes += "x" + std::to_string(i) + " = \"" + Repeat("\\t", 2000) + "\"\n";
  start = std::chrono::steady_clock::now();
  ExpectError("[tikv.storage]\n" + escapes, 2, {"too many values on long lines"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));

  std::string keys = "[tikv.storage]\n";
  for (int i = 0; i < 10001; ++i) keys += "k" + std::to_string(i) + " = 1\n";
  ExpectError(keys, 10000, {"more than 10000 keys (each part of a dotted key counts), tables and array elements"});

  ExpectError("[tikv]\nstatus_address = \"" + std::string(5000, 'x') + "\"\n", 2, {"string longer than 4096 bytes"});
  ExpectError("[tikv]\nstatus_address = '''\n" + Repeat(std::string(99, 'x') + "\n", 50) + "'''\n", 44,
              {"string longer than 4096 bytes"});
}

// The largest config the bounds let through parses (a reload parses it while scrapes go on). Its
// time is printed, not held to a figure: 0.6 s with the sanitizers on an idle machine, 6 s with
// the machine loaded 4×. A bound only catches a parse that goes quadratic (minutes), whatever
// the machine is doing besides.
TEST_F(ConfigTest, AConfigAtTheBoundsParses) {
  std::string text = "[collectors.tikv]\nrelay = [\n";
  for (int i = 0; i < 1000; ++i) text += "  \"tikv_family_" + std::to_string(i) + "_*\",\n";
  text += "]\n";
  // Lines close to the line bound, as full of values as they can be.
  for (const char* key : {"relay_drop", "relay_drop_labels"}) {
    text += std::string(key) + " = [";
    for (int i = 0; i < 200; ++i) text += "\"x" + std::to_string(i) + "\", ";
    text += "]\n";
  }
  text += "[tikv.storage]\n";
  for (int i = 0; i < 6000; ++i) text += "setting_" + std::to_string(i) + " = \"" + std::to_string(i) + "MB\"\n";
  const auto start = std::chrono::steady_clock::now();
  StatusOr<ExporterConfig> config = LoadConfig(Write(text));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->relay.size(), 1000u);
  EXPECT_EQ(config->expected_settings.at("storage").size(), 6000u);
  EXPECT_EQ(config->relay_drop_labels.size(), 200u);
  std::printf("%zu bytes parsed in %.0f ms\n", text.size(), std::chrono::duration<double, std::milli>(took).count());
  EXPECT_LT(took, std::chrono::seconds(120));
}

TEST_F(ConfigTest, AFifoIsNotAConfigFile) {
  const std::string fifo =
      (std::filesystem::temp_directory_path() / ("tikv-exporter-config-fifo-" + std::to_string(::getpid()))).string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  StatusOr<ExporterConfig> config = LoadConfig(fifo);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("not a regular file"), std::string::npos) << config.status().message();
  ExpectError("[web]\ncert_file = \"" + fifo + "\"\n", 2, {"[web] cert_file", "not a readable file"});
  std::filesystem::remove(fifo);
}

// One hour of snapshots by default, but never more than 3,600 of them; an explicit value is
// bounded too.
TEST_F(ConfigTest, HistoryIsBounded) {
  ExporterConfig config;
  EXPECT_EQ(HistorySize(config), 240u);  // 15 s interval
  config.poll_interval_ms = 1000;
  EXPECT_EQ(HistorySize(config), 3600u);
  config.poll_interval_ms = 10;
  EXPECT_EQ(HistorySize(config), 3600u) << "360,000 snapshots would be about 1 GB";
  config.poll_interval_ms = 7000;
  EXPECT_EQ(HistorySize(config), 515u);
  config.history = 5;
  EXPECT_EQ(HistorySize(config), 5u);
  config.history = 10000;
  EXPECT_EQ(HistorySize(config), 10000u);
  EXPECT_EQ(LoadConfig(Write("[exporter]\nhistory = 10000\n")).value().history, 10000);
  ExpectError("[exporter]\nhistory = 10001\n", 2, {"[exporter] history", "between 0 and 10000"});
}

}  // namespace
}  // namespace tikv_exporter
