// --web.config.file: the exporter-toolkit web config file an operator has for node_exporter
// (TLS, bcrypt basic auth as htpasswd writes it, security headers) works unchanged.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/sim_and_exporter.h"

namespace tikv_exporter::testing {
namespace {

class WebConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCommand("bash " SOURCE_DIR "/tests/integration/scripts/make-test-certs.sh " + certs_, &output), 0)
        << output;
    ASSERT_EQ(RunCommand("echo 's3cret pass' | " TIKV_EXPORTER_BIN " --hash-password", &output), 0) << output;
    // htpasswd -nBC 10 (what exporter-toolkit's docs suggest) writes $2y$; crypt(3) reads it as $2b$.
    hash_ = "$2y$" + output.substr(4, 56);
    ASSERT_EQ(hash_.size(), 60u) << output;
    env_.StartSim();
  }

  // node_exporter's web-config.yml, with the certificates beside it (relative names, as
  // exporter-toolkit resolves them against the file's directory).
  std::string ToolkitFile(const std::string& password_hash) const {
    return "# the same file node_exporter --web.config.file reads\n"
           "tls_server_config:\n"
           "  cert_file: server.crt\n"
           "  key_file: server.key\n"
           "  min_version: TLS12\n"
           "http_server_config:\n"
           "  http2: true\n"
           "  headers:\n"
           "    X-Frame-Options: deny\n"
           "    X-Content-Type-Options: nosniff\n"
           "basic_auth_users:\n"
           "  prometheus: " + password_hash + "\n";
  }

  HttpResult Get(const std::string& path, const std::string& user, const std::string& password) const {
    return HttpsRequest(env_.exporter_port(), path, certs_ + "/ca.crt", user, password, false);
  }

  SimAndExporter env_;
  std::string certs_ = env_.dir().path() + "/certs";
  std::string hash_;
};

TEST_F(WebConfigFile, AnExporterToolkitFileWithTlsAndBasicAuthWorksUnchanged) {
  const std::string web_yml = certs_ + "/web-config.yml";
  std::ofstream(web_yml) << ToolkitFile(hash_);
  env_.StartExporterWithConfig(env_.ConfigText(500, 400, {}), false, {"--web.config.file", web_yml});
  ASSERT_TRUE(WaitFor([&] { return Get("/-/healthy", "", "").status == 200; }, std::chrono::seconds(10)))
      << env_.exporter().Log();

  HttpResult scrape = Get("/metrics", "prometheus", "s3cret pass");
  EXPECT_EQ(scrape.status, 200);
  EXPECT_NE(scrape.body.find("tikv_exporter_build_info"), std::string::npos);
  EXPECT_EQ(scrape.headers["X-Frame-Options"], "deny");
  EXPECT_EQ(scrape.headers["X-Content-Type-Options"], "nosniff");
  HttpResult wrong = Get("/metrics", "prometheus", "wrong");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.headers["X-Frame-Options"], "deny") << "the headers are on every answer";
  EXPECT_EQ(Get("/metrics", "", "").status, 401);
  // Plain HTTP is not served.
  EXPECT_EQ(HttpGet(env_.exporter_port(), "/-/healthy").status, 0);

  // SIGHUP re-reads the file: a broken one fails the reload (the running config is kept) ...
  std::ofstream(web_yml) << "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                            "  min_version: TLS10\n";
  kill(env_.exporter().pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] {
    return SampleValue(Get("/metrics", "prometheus", "s3cret pass").body, "tikv_exporter_config_last_reload_successful") == 0;
  }, std::chrono::seconds(10)));
  EXPECT_NE(env_.exporter().Log().find("web-config.yml:4:16: tls_server_config.min_version"), std::string::npos)
      << env_.exporter().Log();
  // ... and the fixed file loads again (after the reload interval of 3 s).
  std::ofstream(web_yml) << ToolkitFile(hash_);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  kill(env_.exporter().pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] {
    return SampleValue(Get("/metrics", "prometheus", "s3cret pass").body, "tikv_exporter_config_last_reload_successful") == 1;
  }, std::chrono::seconds(10)));
}

TEST_F(WebConfigFile, TheTomlWebTableAndTheFileTogetherAreRefused) {
  const std::string web_yml = certs_ + "/web-config.yml";
  std::ofstream(web_yml) << ToolkitFile(hash_);
  const std::string config = env_.dir().Write(
      "both.toml", env_.ConfigText(500, 400, {}, "", "[web]\nbasic_auth_users = { alice = \"" + hash_ + "\" }\n"));
  std::string output;
  EXPECT_EQ(RunCommand(TIKV_EXPORTER_BIN " --check-config --config " + config + " --web.config.file " + web_yml, &output), 1);
  EXPECT_NE(output.find("both protect the listener: keep one of them"), std::string::npos) << output;
  // With the shipped example config (an empty [web], every key commented out) it is accepted.
  EXPECT_EQ(RunCommand(TIKV_EXPORTER_BIN " --check-config --config " SOURCE_DIR "/config/tikv-exporter.toml"
                       " --web.config.file " + web_yml, &output), 0)
      << output;
  // Alone, the file passes --check-config.
  const std::string alone = env_.dir().Write("alone.toml", env_.ConfigText(500, 400, {}));
  EXPECT_EQ(RunCommand(TIKV_EXPORTER_BIN " --check-config --config " + alone + " --web.config.file " + web_yml, &output), 0)
      << output;
}

}  // namespace
}  // namespace tikv_exporter::testing
