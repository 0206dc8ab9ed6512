// --web.config.file: exporter-toolkit's YAML onto the [web] settings, with bounds and errors that
// name the file, the line and the key.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "exporter/web_config_file.h"

namespace tikv_exporter {
namespace {

namespace fs = std::filesystem;

// exporter-toolkit's docs/web-config.yml users (bcrypt of "test" style hashes with cost 10).
constexpr const char* kAlice = "$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze";
constexpr const char* kBob = "$2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m";

class WebConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("web_config_test_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    for (const char* name : {"server.crt", "server.key", "clients-ca.crt"}) Write(name, "PEM\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  // Loads `yaml` (written to web.yml) into `config`; the error message, "" when it loaded.
  std::string Load(const std::string& yaml, ExporterConfig* config) const {
    Status status = LoadWebConfigFile(Write("web.yml", yaml), config);
    return status.ok() ? "" : status.message();
  }
  std::string Error(const std::string& yaml) const {
    ExporterConfig config;
    return Load(yaml, &config);
  }

  fs::path dir_;
};

TEST_F(WebConfigFile, TheToolkitsSampleFileMapsOntoWeb) {
  // docs/web-config.yml of exporter-toolkit (without its newer rate_limit), relative file names.
  const std::string yaml = std::string(
      "# TLS and basic authentication configuration example.\n"
      "tls_server_config:\n"
      "  cert_file: server.crt\n"
      "  key_file: server.key\n"
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: clients-ca.crt\n"
      "  min_version: TLS13\n"
      "  max_version: TLS13\n"
      "  prefer_server_cipher_suites: true\n"
      "http_server_config:\n"
      "  http2: true\n"
      "  headers:\n"
      "    X-Frame-Options: deny\n"
      "    x-content-type-options: nosniff\n"
      "    Strict-Transport-Security: max-age=31536000\n"
      "    Content-Security-Policy: \"\"\n"
      "basic_auth_users:\n"
      "  alice: ") + kAlice + "\n  bob: '" + kBob + "'\n";
  ExporterConfig config;
  ASSERT_EQ(Load(yaml, &config), "");
  EXPECT_EQ(config.web_cert_file, (dir_ / "server.crt").string());
  EXPECT_EQ(config.web_key_file, (dir_ / "server.key").string());
  EXPECT_EQ(config.web_client_ca_file, (dir_ / "clients-ca.crt").string());
  EXPECT_EQ(config.web_min_tls_version, "TLS13");
  ASSERT_EQ(config.web_basic_auth_users.size(), 2u);
  EXPECT_EQ(config.web_basic_auth_users.at("alice"), kAlice);
  EXPECT_EQ(config.web_basic_auth_users.at("bob"), kBob);
  // Canonical names; an empty value leaves the header out, as in exporter-toolkit.
  EXPECT_EQ(config.web_headers, (std::map<std::string, std::string>{{"Strict-Transport-Security", "max-age=31536000"},
                                                                     {"X-Content-Type-Options", "nosniff"},
                                                                     {"X-Frame-Options", "deny"}}));
  EXPECT_EQ(config.web_config_file, dir_ / "web.yml");
}

TEST_F(WebConfigFile, AbsolutePathsAndAnEmptyFile) {
  ExporterConfig config;
  ASSERT_EQ(Load("tls_server_config:\n  cert_file: " + (dir_ / "server.crt").string() + "\n  key_file: " +
                     (dir_ / "server.key").string() + "\n",
                 &config),
            "");
  EXPECT_EQ(config.web_cert_file, (dir_ / "server.crt").string());
  EXPECT_EQ(config.web_min_tls_version, "TLS12");
  ExporterConfig empty;
  EXPECT_EQ(Load("# nothing\n", &empty), "");
  EXPECT_TRUE(empty.web_cert_file.empty());
  EXPECT_TRUE(empty.web_basic_auth_users.empty());
}

TEST_F(WebConfigFile, ErrorsNameTheFileLineAndKey) {
  const std::string file = (dir_ / "web.yml").string();
  EXPECT_EQ(Error("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS10\n"),
            file + ":4:16: tls_server_config.min_version: \"TLS10\" is not supported (TLS12 | TLS13): TLS 1.0 "
                   "and 1.1 are not offered");
  EXPECT_EQ(Error("tls_server_config:\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n"),
            file + ":2:3: tls_server_config.cipher_suites: not supported by tikv-exporter (supported here: "
                   "cert_file, client_auth_type, client_ca_file, key_file, max_version, min_version, "
                   "prefer_server_cipher_suites)");
  EXPECT_NE(Error("basic_auth_users:\n  alice: plaintext\n").find(file + ":2:10: basic_auth_users.alice: expected a bcrypt hash"),
            std::string::npos);
  EXPECT_NE(Error("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n")
                .find(file + ":2:14: tls_server_config.cert_file: \"" + (dir_ / "missing.crt").string() +
                      "\" is not a readable file"),
            std::string::npos);
  EXPECT_NE(Error("tls_server_config: [\n").find(file + ":"), std::string::npos);
  EXPECT_NE(Error("tls_server_config: [\n").find("YAML"), std::string::npos);
  EXPECT_NE(Error("rate_limit:\n  burst: 20\n").find(":1:1: rate_limit: not supported by tikv-exporter"),
            std::string::npos);
}

TEST_F(WebConfigFile, ExporterToolkitsOwnRulesHold) {
  EXPECT_NE(Error("tls_server_config:\n  cert_file: server.crt\n").find("cert_file and key_file go together"),
            std::string::npos);
  EXPECT_NE(Error("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: clients-ca.crt\n")
                .find("client_ca_file needs client_auth_type: RequireAndVerifyClientCert"),
            std::string::npos);
  EXPECT_NE(Error("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                  "  client_auth_type: RequireAndVerifyClientCert\n")
                .find("needs client_ca_file"),
            std::string::npos);
  EXPECT_NE(Error("tls_server_config:\n  client_auth_type: VerifyClientCertIfGiven\n")
                .find("let clients in without a verified certificate"),
            std::string::npos);
  EXPECT_NE(Error("http_server_config:\n  headers:\n    Server: nginx\n").find("header \"Server\" cannot be set"),
            std::string::npos);
  EXPECT_NE(Error("http_server_config:\n  headers:\n    X-Frame-Options: allow-from x\n").find("is not deny or sameorigin"),
            std::string::npos);
  EXPECT_NE(Error("http_server_config:\n  http2: maybe\n").find("expected true or false"), std::string::npos);
}

TEST_F(WebConfigFile, RepeatedKeysAreRefusedNotPicked) {
  EXPECT_NE(Error(std::string("basic_auth_users:\n  alice: ") + kAlice + "\n  alice: " + kBob + "\n").find("set twice"),
            std::string::npos);
  EXPECT_NE(Error("tls_server_config:\n  min_version: TLS12\n  min_version: TLS13\n").find("set twice"),
            std::string::npos);
  EXPECT_NE(Error("http_server_config:\n  headers:\n    X-Frame-Options: deny\n    x-frame-options: sameorigin\n")
                .find("set twice"),
            std::string::npos);
}

TEST_F(WebConfigFile, AHeaderValueCannotSmuggleLines) {
  EXPECT_NE(Error("http_server_config:\n  headers:\n    Content-Security-Policy: \"a\\r\\nSet-Cookie: x=1\"\n")
                .find("not printable ASCII"),
            std::string::npos);
}

TEST_F(WebConfigFile, BothTheTomlWebTableAndTheFileAreRefused) {
  ExporterConfig config;
  config.source_path = "exporter.toml";
  config.web_section_set = true;
  const std::string error = Load("basic_auth_users: {}\n", &config);
  EXPECT_NE(error.find("and the [web] table of exporter.toml both protect the listener"), std::string::npos) << error;
}

TEST_F(WebConfigFile, AFailedLoadLeavesTheConfigAsItWas) {
  ExporterConfig config;
  config.web_min_tls_version = "TLS12";
  EXPECT_NE(Load(std::string("tls_server_config:\n  min_version: TLS13\nbasic_auth_users:\n  bob: nope\n"), &config), "");
  EXPECT_EQ(config.web_min_tls_version, "TLS12");
  EXPECT_TRUE(config.web_basic_auth_users.empty());
}

TEST_F(WebConfigFile, HostileFilesAreBounded) {
  EXPECT_NE(Error(std::string(kMaxWebConfigBytes + 1, '#')).find("larger than"), std::string::npos);
  EXPECT_NE(Error("basic_auth_users: " + std::string(100, '[') + std::string(100, ']') + "\n").find("nested deeper than 8"),
            std::string::npos);
  EXPECT_NE(Error("a:\n" + std::string(100, ' ') + "b: c\n").find("indented by more than 64 columns"), std::string::npos);
  // Brackets inside quotes and comments are text, not nesting.
  ExporterConfig config;
  EXPECT_EQ(Load("# [[[[[[[[[[[[[[\nhttp_server_config:\n  headers:\n    Content-Security-Policy: \"default-src "
                 "'self' [[[[[[[[[[[[\"\n",
                 &config),
            "");
  std::string users = "basic_auth_users:\n";
  for (size_t i = 0; i <= kMaxWebConfigUsers; ++i) users += "  u" + std::to_string(i) + ": " + kAlice + "\n";
  EXPECT_NE(Error(users).find("more than 256 users"), std::string::npos);
  // A FIFO at the path is refused without waiting for a writer.
  const std::string fifo = (dir_ / "fifo.yml").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ExporterConfig fifo_config;
  EXPECT_NE(LoadWebConfigFile(fifo, &fifo_config).message().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace tikv_exporter
