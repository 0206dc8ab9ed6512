// The HTTPS listener's TLS context (exporter/web_tls.cc), driven by in-memory handshakes: which
// certificate a client sees while the files on disk are rotated, broken, removed or replaced by
// a FIFO, and which TLS 1.2 cipher suites it accepts.

#include "server/web_tls.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "tests/unit/test_files.h"

namespace tikv_exporter {
namespace {

namespace fs = std::filesystem;

struct Handshake {
  bool ok = false;
  std::string common_name;  // of the certificate the server presented
};

// One TLS handshake between a fresh client and a server made from `server_context`, through a
// BIO pair (no sockets). `ciphers`: restrict the client to TLS 1.2 with these suites.
Handshake Connect(SSL_CTX* server_context, const char* ciphers = nullptr) {
  SSL_CTX* client_context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(client_context, SSL_VERIFY_NONE, nullptr);
  if (ciphers != nullptr) {
    SSL_CTX_set_security_level(client_context, 0);  // the server must be the one that refuses
    SSL_CTX_set_max_proto_version(client_context, TLS1_2_VERSION);
    EXPECT_EQ(SSL_CTX_set_cipher_list(client_context, ciphers), 1) << ciphers;
  }
  SSL* client = SSL_new(client_context);
  SSL* server = SSL_new(server_context);
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(client, client_bio, client_bio);
  SSL_set_bio(server, server_bio, server_bio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  Handshake result;
  for (int round = 0; round < 50; ++round) {
    const int c = SSL_do_handshake(client);
    const int s = SSL_do_handshake(server);
    if (c == 1 && s == 1) {
      result.ok = true;
      break;
    }
    const int ce = c == 1 ? SSL_ERROR_NONE : SSL_get_error(client, c);
    const int se = s == 1 ? SSL_ERROR_NONE : SSL_get_error(server, s);
    auto waiting = [](int e) { return e == SSL_ERROR_NONE || e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE; };
    if (!waiting(ce) || !waiting(se)) break;
  }
  if (result.ok) {
    if (X509* peer = SSL_get1_peer_certificate(client)) {
      char name[256] = "";
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof(name));
      result.common_name = name;
      X509_free(peer);
    }
  }
  ERR_clear_error();
  SSL_free(client);
  SSL_free(server);
  SSL_CTX_free(client_context);
  return result;
}

void Copy(const std::string& from, const std::string& to) {
  fs::remove(to);
  fs::copy_file(from, to);
}

class WebTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("tikv-exporter-web-tls-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::create_directories(dir_);
    for (const char* name : {"one", "two", "three"}) MakeCertificate(name, "ec -pkeyopt ec_paramgen_curve:P-256");
    Copy(Path("one.crt"), Path("web.crt"));
    Copy(Path("one.key"), Path("web.key"));
    options_.cert_file = Path("web.crt");
    options_.key_file = Path("web.key");
    log_sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    spdlog::default_logger()->sinks().push_back(log_sink_);
  }
  void TearDown() override {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_sink_), sinks.end());
    if (context_ != nullptr) SSL_CTX_free(context_);
    fs::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // A self-signed certificate with CN=`name`: name.crt, name.key.
  void MakeCertificate(const std::string& name, const std::string& key_type) {
    const std::string command = "openssl req -x509 -newkey " + key_type + " -nodes -days 2 -subj /CN=" + name +
                                " -keyout " + Path(name + ".key") + " -out " + Path(name + ".crt") + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  // The listener's context, as the HTTP server makes it.
  SSL_CTX* Context() {
    if (context_ == nullptr) {
      context_ = SSL_CTX_new(TLS_server_method());
      EXPECT_TRUE(ConfigureWebTls(*context_, &options_)) << DescribeWebTlsFailure(options_);
    }
    return context_;
  }

  int LogCount(const std::string& text) const {
    spdlog::default_logger()->flush();
    const std::string log = log_.str();
    int count = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++count;
    return count;
  }

  std::string dir_;
  HttpServerOptions options_;
  SSL_CTX* context_ = nullptr;
  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> log_sink_;
};

TEST_F(WebTlsTest, ARotatedPairIsServedAndABrokenOneKeepsTheLastGoodPairNotTheStartupOne) {
  EXPECT_EQ(Connect(Context()).common_name, "one");
  Copy(Path("two.crt"), Path("web.crt"));
  Copy(Path("two.key"), Path("web.key"));
  EXPECT_EQ(Connect(Context()).common_name, "two");

  // Half-written: the first half of three's certificate.
  const std::string three = testing::ReadFile(Path("three.crt"));
  std::ofstream(Path("web.crt"), std::ios::trunc) << three.substr(0, three.size() / 2);
  Handshake half = Connect(Context());
  EXPECT_TRUE(half.ok);
  EXPECT_EQ(half.common_name, "two") << "the last good pair, not the one loaded at start";

  // Three's certificate with two's key: a mismatch.
  Copy(Path("three.crt"), Path("web.crt"));
  EXPECT_EQ(Connect(Context()).common_name, "two");

  // Removed.
  fs::remove(Path("web.crt"));
  EXPECT_EQ(Connect(Context()).common_name, "two");

  // A valid pair again.
  Copy(Path("three.crt"), Path("web.crt"));
  Copy(Path("three.key"), Path("web.key"));
  EXPECT_EQ(Connect(Context()).common_name, "three");
}

TEST_F(WebTlsTest, AFailureAndTheRecoveryAreLoggedOnceEachNotPerHandshake) {
  EXPECT_EQ(Connect(Context()).common_name, "one");
  Copy(Path("two.crt"), Path("web.crt"));  // two's certificate, one's key
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Connect(Context()).common_name, "one");
  EXPECT_EQ(LogCount("does not match the certificate"), 1) << log_.str();
  EXPECT_EQ(LogCount("still serving the last good certificate (/CN=one)"), 1) << log_.str();

  fs::remove(Path("web.key"));  // a different failure: logged, once
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Connect(Context()).common_name, "one");
  EXPECT_EQ(LogCount("key_file " + Path("web.key") + ": No such file or directory"), 1) << log_.str();

  Copy(Path("two.key"), Path("web.key"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Connect(Context()).common_name, "two");
  EXPECT_EQ(LogCount("are a valid pair again"), 1) << log_.str();
  EXPECT_EQ(LogCount("cannot use the certificate files"), 2) << log_.str();
}

TEST_F(WebTlsTest, AFifoAtTheCertificatePathDoesNotBlockAHandshake) {
  EXPECT_EQ(Connect(Context()).common_name, "one");
  fs::remove(Path("web.crt"));
  ASSERT_EQ(::mkfifo(Path("web.crt").c_str(), 0600), 0);
  std::future<Handshake> handshake = std::async(std::launch::async, [&] { return Connect(Context()); });
  if (handshake.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // Opening the FIFO for writing releases a reader blocked in open(); closing it gives EOF.
    const int writer = ::open(Path("web.crt").c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) ::close(writer);
    ADD_FAILURE() << "a handshake blocked on a FIFO at the certificate path";
  }
  Handshake result = handshake.get();
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.common_name, "one");
  EXPECT_EQ(LogCount("web.crt: not a regular file"), 1) << log_.str();
}

TEST_F(WebTlsTest, UnusableFilesAtStartAreAnErrorNamingThem) {
  fs::remove(Path("web.crt"));
  ASSERT_EQ(::mkfifo(Path("web.crt").c_str(), 0600), 0);
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  EXPECT_FALSE(ConfigureWebTls(*context, &options_));
  EXPECT_NE(DescribeWebTlsFailure(options_).find(Path("web.crt") + ": not a regular file"), std::string::npos)
      << DescribeWebTlsFailure(options_);
  SSL_CTX_free(context);

  fs::remove(Path("web.crt"));
  Copy(Path("two.crt"), Path("web.crt"));
  context = SSL_CTX_new(TLS_server_method());
  EXPECT_FALSE(ConfigureWebTls(*context, &options_));
  EXPECT_NE(DescribeWebTlsFailure(options_).find("does not match"), std::string::npos)
      << DescribeWebTlsFailure(options_);
  SSL_CTX_free(context);
}

// exporter-toolkit's default: TLS 1.2 only with ECDHE and AES-GCM or ChaCha20-Poly1305.
TEST_F(WebTlsTest, Tls12OffersOnlyForwardSecretAeadSuites) {
  MakeCertificate("rsa", "rsa:2048");
  Copy(Path("rsa.crt"), Path("web.crt"));
  Copy(Path("rsa.key"), Path("web.key"));
  EXPECT_TRUE(Connect(Context()).ok);  // TLS 1.3
  EXPECT_TRUE(Connect(Context(), "ECDHE-RSA-AES128-GCM-SHA256").ok);
  EXPECT_TRUE(Connect(Context(), "ECDHE-RSA-CHACHA20-POLY1305").ok);
  EXPECT_FALSE(Connect(Context(), "AES128-SHA256").ok) << "RSA key exchange: no forward secrecy";
  EXPECT_FALSE(Connect(Context(), "AES128-GCM-SHA256").ok) << "RSA key exchange: no forward secrecy";
  EXPECT_FALSE(Connect(Context(), "ECDHE-RSA-AES128-SHA256").ok) << "CBC: not AEAD";
  EXPECT_FALSE(Connect(Context(), "ECDHE-RSA-AES256-SHA").ok) << "CBC: not AEAD";
}

}  // namespace
}  // namespace tikv_exporter
