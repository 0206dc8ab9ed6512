#include "exporter/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  StatusOr<ExporterConfig> config = LoadConfig(std::string(SHARED_DIR) + "/seed-config.toml");
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
  EXPECT_EQ(config->log_format, "json");
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

TEST_F(ConfigTest, PdStoreSeriesIsAllOrLocal) {
  StatusOr<ExporterConfig> config = LoadConfig(Write("[collectors.pd]\nstore_series = \"local\"\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->pd_store_series, "local");
  EXPECT_EQ(LoadConfig(Write("")).value().pd_store_series, "all");
  ExpectError("[collectors.pd]\nstore_series = \"mine\"\n", 2, {"[collectors.pd] store_series", "all|local"});
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

}  // namespace
}  // namespace tikv_exporter
