// TLS and auth: mTLS from the exporter to a TLS-only TiKV and PD (HTTP and gRPC) with
// certificate rotation, and the exporter's own HTTPS + basic auth and TLS gRPC listeners.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/certificates.h"
#include "tests/integration/sim_and_exporter.h"
#include "tikv_exporter.grpc.pb.h"

namespace tikv_exporter::testing {
namespace {

// A TLS-only simulated node with one PD member (HTTP and gRPC).
std::vector<std::string> SimTlsFlagsWithPd(const Certificates& certs, int pd_http, int pd_grpc) {
  std::vector<std::string> flags = SimTlsFlags(certs);
  flags.insert(flags.end(), {"--pd-address", "127.0.0.1:" + std::to_string(pd_http), "--pd-grpc-address",
                             "127.0.0.1:" + std::to_string(pd_grpc)});
  return flags;
}

class UpstreamTls : public ::testing::TestWithParam<std::string> {};

TEST_P(UpstreamTls, PollsTlsOnlyTikvAndPdWithAClientCertificate) {
  const std::string protocol = GetParam();
  SimAndExporter env;
  Certificates certs(env.dir());
  const int pd_http = FreePort(), pd_grpc = FreePort();
  env.StartSim(SimTlsFlagsWithPd(certs, pd_http, pd_grpc));
  const int pd_port = protocol == "grpc" ? pd_grpc : pd_http;
  std::string config = env.ConfigText(300, 250, {pd_port}, "", SecurityTable(certs, "client"));
  config.replace(config.find("region_ttl_ms"), 0, "protocol = \"" + protocol + "\"\n");
  env.StartExporterWithConfig(config);
  EXPECT_TRUE(WaitFor(
      [&] {
        const std::string metrics = env.Metrics();
        return CollectorUp(metrics, "tikv") == 1 && CollectorUp(metrics, "pd") == 1 &&
               SampleValue(metrics, "tikv_exporter_qps", {{"type", "kv_get"}}).has_value();
      },
      std::chrono::seconds(15)))
      << env.exporter().Log();
  const std::string metrics = env.Metrics();
  EXPECT_TRUE(SampleValue(metrics, "tikv_exporter_qps", {{"type", "kv_get"}}).has_value());
  EXPECT_EQ(SampleValue(metrics, "tikv_exporter_pd_leader_present"), 1);
}

INSTANTIATE_TEST_SUITE_P(Protocols, UpstreamTls, ::testing::Values("http", "grpc"));

TEST(UpstreamTlsFailures, WithoutAClientCertificateTheSourceIsDownAndSaysTls) {
  SimAndExporter env;
  Certificates certs(env.dir());
  env.StartSim(SimTlsFlags(certs));
  env.StartExporterWithConfig(env.ConfigText(300, 250, {}, "", SecurityTable(certs, "")));
  ASSERT_TRUE(env.WaitForPolls(3));
  EXPECT_EQ(CollectorUp(env.Metrics(), "tikv"), 0);
  const std::string log = env.exporter().Log();
  EXPECT_TRUE(log.find("TLS") != std::string::npos || log.find("closed while") != std::string::npos) << log;
}

TEST(UpstreamTlsFailures, PlainHttpToATlsOnlyNodeIsDown) {
  SimAndExporter env;
  Certificates certs(env.dir());
  env.StartSim(SimTlsFlags(certs));
  env.StartExporter(300, 250);
  ASSERT_TRUE(env.WaitForPolls(3));
  EXPECT_EQ(CollectorUp(env.Metrics(), "tikv"), 0);
}

// The client certificate on disk is replaced while the exporter runs (cert-manager, Vault):
// an untrusted one first, then a good one. No restart, no reload.
TEST(UpstreamTlsRotation, ARotatedClientCertificateIsUsedWithoutARestart) {
  SimAndExporter env;
  Certificates certs(env.dir());
  const int pd_http = FreePort(), pd_grpc = FreePort();
  env.StartSim(SimTlsFlagsWithPd(certs, pd_http, pd_grpc));
  certs.Replace("exporter-client", "rogue-client");
  std::string config = env.ConfigText(300, 250, {pd_grpc}, "", SecurityTable(certs, "exporter-client"));
  config.replace(config.find("region_ttl_ms"), 0, "protocol = \"grpc\"\n");
  env.StartExporterWithConfig(config);
  ASSERT_TRUE(env.WaitForPolls(3));
  EXPECT_EQ(CollectorUp(env.Metrics(), "tikv"), 0) << "the rogue CA's certificate must be refused";
  EXPECT_EQ(CollectorUp(env.Metrics(), "pd"), 0);

  certs.Replace("exporter-client", "client");
  EXPECT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "tikv") == 1; }, std::chrono::seconds(10)));
  // gRPC watches the files every 10 s and reconnects with backoff.
  EXPECT_TRUE(WaitFor([&] { return CollectorUp(env.Metrics(), "pd") == 1; }, std::chrono::seconds(45)));
}

// The exporter's own listeners behind TLS and basic auth.
class WebSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc_port_ = FreePort();
    std::string output;
    ASSERT_EQ(RunCommand("echo 's3cret pass' | " TIKV_EXPORTER_BIN " --hash-password", &output), 0) << output;
    const std::string hash = output.substr(0, output.find('\n'));
    ASSERT_EQ(hash.size(), 60u) << output;
    env_.StartSim();
    certs_.Replace("web", "server");
    const std::string web = "[web]\ncert_file = \"" + certs_("web.crt") + "\"\nkey_file = \"" + certs_("web.key") +
                            "\"\n[web.basic_auth_users]\nalice = \"" + hash + "\"\n";
    env_.StartExporterWithConfig(
        env_.ConfigText(300, 250, {}, "grpc_listen_address = \"127.0.0.1:" + std::to_string(grpc_port_) + "\"\n", web),
        false);
    ASSERT_TRUE(WaitFor([&] { return Get("/-/healthy", "", "").status == 200; }, std::chrono::seconds(10)));
  }

  HttpResult Get(const std::string& path, const std::string& user, const std::string& password,
                 const std::string& method = "GET") {
    return HttpsRequest(env_.exporter_port(), path, certs_("ca.crt"), user, password, method == "POST");
  }

  SimAndExporter env_;
  Certificates certs_{env_.dir()};
  int grpc_port_ = 0;
};

TEST_F(WebSecurity, EverythingButHealthyNeedsTheRightPassword) {
  HttpResult anonymous = Get("/metrics", "", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.headers["WWW-Authenticate"], "Basic realm=\"tikv-exporter\"");
  EXPECT_EQ(Get("/metrics", "alice", "wrong").status, 401);
  EXPECT_EQ(Get("/metrics", "mallory", "s3cret pass").status, 401);
  HttpResult scrape = Get("/metrics", "alice", "s3cret pass");
  EXPECT_EQ(scrape.status, 200);
  EXPECT_NE(scrape.body.find("tikv_exporter_build_info"), std::string::npos);
  for (const char* path : {"/", "/api/v1/snapshot", "/api/v1/targets", "/api/v1/cluster", "/api/v1/rocksdb", "/-/ready"}) {
    EXPECT_EQ(Get(path, "", "").status, 401) << path;
  }
  EXPECT_EQ(Get("/-/reload", "", "", "POST").status, 401);
  EXPECT_EQ(Get("/-/healthy", "", "").status, 200);
}

TEST_F(WebSecurity, PlainHttpAndOldTlsVersionsAreRefused) {
  EXPECT_NE(HttpGet(env_.exporter_port(), "/-/healthy").status, 200);
  std::string output;
  const std::string connect = "openssl s_client -connect 127.0.0.1:" + std::to_string(env_.exporter_port()) +
                              " -CAfile " + certs_("ca.crt") + " </dev/null";
  EXPECT_EQ(RunCommand(connect + " -tls1_2", &output), 0) << output;
  EXPECT_NE(RunCommand(connect + " -tls1_1 -cipher DEFAULT@SECLEVEL=0", &output), 0) << output;
}

TEST_F(WebSecurity, ARotatedServerCertificateIsServedWithoutARestart) {
  std::string output;
  const std::string subject = "openssl s_client -connect 127.0.0.1:" + std::to_string(env_.exporter_port()) +
                              " </dev/null 2>/dev/null | openssl x509 -noout -subject";
  RunCommand(subject, &output);
  EXPECT_NE(output.find("CN = server"), std::string::npos) << output;
  EXPECT_EQ(output.find("server2"), std::string::npos) << output;
  certs_.Replace("web", "server2");
  RunCommand(subject, &output);
  EXPECT_NE(output.find("CN = server2"), std::string::npos) << output;
  EXPECT_EQ(Get("/-/healthy", "", "").status, 200);
  // The gRPC listener reads copies refreshed every 5 s; gRPC's own watcher then reads those.
  const std::string grpc_subject = "openssl s_client -alpn h2 -connect 127.0.0.1:" + std::to_string(grpc_port_) +
                                   " </dev/null 2>/dev/null | openssl x509 -noout -subject";
  EXPECT_TRUE(WaitFor(
      [&] {
        RunCommand(grpc_subject, &output);
        return output.find("CN = server2") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << "the gRPC listener still serves: " << output;
}

// Slowloris over TLS: connections that dribble a handshake hold no worker, so scrapes go on.
TEST_F(WebSecurity, DribblingHandshakesDoNotStarveHttpsScrapes) {
  std::vector<std::unique_ptr<RawConnection>> dribblers;
  for (int i = 0; i < 32; ++i) dribblers.push_back(std::make_unique<RawConnection>(env_.exporter_port()));
  for (int i = 0; i < 5; ++i) {
    for (auto& connection : dribblers) connection->Send(std::string(1, "\x16\x03\x01"[i % 3]));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Get("/metrics", "alice", "s3cret pass").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

TEST_F(WebSecurity, GrpcListenerServesTlsOnly) {
  std::ifstream ca_file(certs_("ca.crt"));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs.assign(std::istreambuf_iterator<char>(ca_file), {});
  auto secure = v1::SnapshotService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port_), grpc::SslCredentials(options)));
  v1::Snapshot snapshot;
  grpc::Status status;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        status = secure->GetSnapshot(&context, v1::GetSnapshotRequest(), &snapshot);
        return status.ok();
      },
      std::chrono::seconds(10)))
      << status.error_message();
  EXPECT_GT(snapshot.sequence(), 0u);

  auto plain = v1::SnapshotService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port_), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  EXPECT_FALSE(plain->GetSnapshot(&context, v1::GetSnapshotRequest(), &snapshot).ok());
}

// A TLS 1.3 client that completes its handshake and closes at once: the server then writes its
// session tickets to a closed connection, and with SIGPIPE not ignored the second write killed
// the process (exit 141) at the first or second such client. Health checks and scanners do this.
TEST_F(WebSecurity, ClientsThatHandshakeAndCloseDoNotKillTheExporter) {
  const std::string script =
      "import socket, ssl\n"
      "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
      "ctx.check_hostname = False\n"
      "ctx.verify_mode = ssl.CERT_NONE\n"
      "ctx.minimum_version = ssl.TLSVersion.TLSv1_3\n"
      "done = 0\n"
      "for i in range(20):\n"
      "    try:\n"
      "        ctx.wrap_socket(socket.create_connection(('127.0.0.1', " + std::to_string(env_.exporter_port()) +
      "), timeout=5)).close()\n"
      "        done += 1\n"
      "    except OSError:\n"
      "        pass\n"
      "print(done)\n";
  const std::string path = env_.dir().Write("handshake_and_close.py", script);
  std::string output;
  ASSERT_EQ(RunCommand("python3 " + path, &output), 0) << output;
  std::printf("TLS 1.3 clients that handshook and closed: %s", output.c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the tickets' writes have happened
  EXPECT_TRUE(env_.exporter().Running()) << "killed by SIGPIPE; log:\n" << env_.exporter().Log();
  EXPECT_EQ(Get("/-/healthy", "", "").status, 200);
}

// gRPC's own file watcher opened the configured paths every 10 s: a FIFO put at the certificate
// path hung its thread, and SIGTERM then never finished (the watcher is joined at shutdown). The
// files are read as the HTTPS listener reads them now, and gRPC only ever reads our copies.
TEST_F(WebSecurity, AFifoAtTheCertificatePathHangsNeitherGrpcNorTheStop) {
  const std::string cert = certs_("web.crt");
  ASSERT_EQ(std::remove(cert.c_str()), 0);
  ASSERT_EQ(mkfifo(cert.c_str(), 0600), 0);
  std::this_thread::sleep_for(std::chrono::seconds(12));  // every refresh has met the FIFO by then
  std::ifstream ca_file(certs_("ca.crt"));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs.assign(std::istreambuf_iterator<char>(ca_file), {});
  auto secure = v1::SnapshotService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port_), grpc::SslCredentials(options)));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::Snapshot snapshot;
  EXPECT_TRUE(secure->GetSnapshot(&context, v1::GetSnapshotRequest(), &snapshot).ok())
      << "the last good pair is still served";
  const auto start = std::chrono::steady_clock::now();
  const int status = env_.exporter().Stop();  // SIGTERM; SIGKILL after 5 s (returns -1 then)
  std::printf("stop with a FIFO at cert_file took %.1f s (status %d)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), status);
  ASSERT_NE(status, -1) << "still running 5 s after SIGTERM";
  EXPECT_NE(env_.exporter().Log().find("still serving the last good pair"), std::string::npos);
}

// TLS 1.2 offers only forward-secret AEAD suites (exporter-toolkit's default list). The test
// certificates have EC keys: ECDHE-ECDSA suites are the ones a client could pick.
TEST_F(WebSecurity, Tls12OffersOnlyForwardSecretAeadSuites) {
  std::string output;
  const std::string connect = "openssl s_client -connect 127.0.0.1:" + std::to_string(env_.exporter_port()) +
                              " -CAfile " + certs_("ca.crt") + " -tls1_2 </dev/null";
  EXPECT_EQ(RunCommand(connect + " -cipher ECDHE-ECDSA-AES128-GCM-SHA256", &output), 0) << output;
  EXPECT_EQ(RunCommand(connect + " -cipher ECDHE-ECDSA-CHACHA20-POLY1305", &output), 0) << output;
  EXPECT_NE(RunCommand(connect + " -cipher ECDHE-ECDSA-AES128-SHA256", &output), 0) << output;
  EXPECT_NE(RunCommand(connect + " -cipher ECDHE-ECDSA-AES256-SHA", &output), 0) << output;
  EXPECT_NE(RunCommand(connect + " -cipher AES128-SHA256", &output), 0) << output;
}

// crypt(3) stops at a NUL byte: "s3cret pass\0junk" must not pass as "s3cret pass".
TEST_F(WebSecurity, APasswordFollowedByANulByteIsRefused) {
  httplib::SSLClient client("127.0.0.1", env_.exporter_port());
  client.set_ca_cert_path(certs_("ca.crt").c_str());
  client.enable_server_certificate_verification(true);
  httplib::Headers headers = {httplib::make_basic_authentication_header("alice", std::string("s3cret pass\0junk", 16))};
  httplib::Result result = client.Get("/metrics", headers);
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(Get("/metrics", "alice", "s3cret pass").status, 200);
}

// A flood of ever new wrong passwords: one bcrypt comparison at a time, four checks queued for
// it, the excess answered 429, and the scraper, whose password check is cached, keeps getting
// its scrapes.
TEST_F(WebSecurity, AWrongPasswordFloodIsAnswered429AndTheScraperIsServed) {
  ASSERT_EQ(Get("/metrics", "alice", "s3cret pass").status, 200);  // now cached
  std::atomic<bool> stop{false};
  std::atomic<int> busy{0}, denied{0}, other{0}, without_retry_after{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 6; ++t) {
    flood.emplace_back([&, t] {
      // A new password each time: a repeated one would be answered from the failure cache.
      for (int i = 0; !stop; ++i) {
        HttpResult result = Get("/metrics", "alice", "wrong " + std::to_string(t) + " " + std::to_string(i));
        if (result.status == 429) {
          ++busy;
          if (result.headers["Retry-After"] != "1") ++without_retry_after;
        } else if (result.status == 401) {
          ++denied;
        } else {
          ++other;
        }
      }
    });
  }
  int scrapes = 0, answered = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  while (std::chrono::steady_clock::now() < end) {
    const auto start = std::chrono::steady_clock::now();
    HttpResult scrape = Get("/metrics", "alice", "s3cret pass");
    ++scrapes;
    if (scrape.status == 200 && std::chrono::steady_clock::now() - start < std::chrono::seconds(1)) ++answered;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  stop = true;
  for (std::thread& thread : flood) thread.join();
  std::printf("flood: %d busy (429), %d denied (401), %d other; scraper: %d of %d within 1 s\n", busy.load(),
              denied.load(), other.load(), answered, scrapes);
  EXPECT_GT(busy.load(), 0);
  EXPECT_GT(denied.load(), 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(without_retry_after.load(), 0);
  EXPECT_EQ(answered, scrapes);
  const std::string metrics = Get("/metrics", "alice", "s3cret pass").body;
  EXPECT_GE(SampleValue(metrics, "tikv_exporter_limit_hits_total", {{"limit", "http_auth_concurrency"}}).value_or(0), 1)
      << "each 429 is a hit of the bound";
}

// Issue 20 item 7: two connections without credentials and one repeating a wrong password flood
// from before the scraper's first scrape. They must not take the bcrypt slot from it: no
// credentials is 401 at once, a repeated wrong password is answered from the failure cache, and
// the scraper's first check waits its turn instead of losing to whoever holds the slot. (The
// success cache's sliding past its 60 s TTL is shown by the unit test with a fake clock; the TTL
// cannot be shortened from the config.)
TEST_F(WebSecurity, CredentialLessFloodsDoNotLockTheScraperOut) {
  std::atomic<bool> stop{false};
  std::atomic<int> anonymous_401{0}, anonymous_other{0}, wrong_401{0}, wrong_other{0};
  auto flood_with = [&](const std::string& user, const std::string& password, std::atomic<int>& denied,
                        std::atomic<int>& other) {
    return std::thread([&, user, password] {
      while (!stop) (Get("/metrics", user, password).status == 401 ? denied : other)++;
    });
  };
  std::vector<std::thread> flood;
  for (int t = 0; t < 2; ++t) flood.push_back(flood_with("", "", anonymous_401, anonymous_other));
  flood.push_back(flood_with("alice", "wrong", wrong_401, wrong_other));
  const bool flooding = WaitFor([&] { return anonymous_401 + anonymous_other + wrong_401 + wrong_other >= 30; },
                                std::chrono::seconds(30));
  constexpr int kScrapes = 20;
  int served = 0;
  for (int i = 0; i < kScrapes && flooding; ++i) {
    served += Get("/metrics", "alice", "s3cret pass").status == 200;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (std::thread& thread : flood) thread.join();
  std::printf("scraper: %d of %d scrapes 200; no credentials: %d 401, %d other; wrong password: %d 401, %d other\n",
              served, kScrapes, anonymous_401.load(), anonymous_other.load(), wrong_401.load(), wrong_other.load());
  ASSERT_TRUE(flooding);
  EXPECT_EQ(served, kScrapes);
  EXPECT_EQ(anonymous_other.load(), 0) << "no credentials must be 401 at once, never 429";
  EXPECT_EQ(wrong_other.load(), 0) << "a repeated wrong password must be 401 from the failure cache, never 429";
}

}  // namespace
}  // namespace tikv_exporter::testing
