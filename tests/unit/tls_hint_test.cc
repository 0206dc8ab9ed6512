// When the exporter speaks plain HTTP to an HTTPS-only upstream, or is sent to https:// PD
// members without [security], the error says what to set.

#include <gtest/gtest.h>

#include "collectors/pd/pd_collector.h"
#include "collectors/tikv/tikv_collector.h"
#include "collectors/upstream_error.h"
#include "tests/unit/fake_http_fetcher.h"

namespace tikv_exporter {
namespace {

using testing::FakeUpstreams;

// What Go's net/http (PD) answers to plain HTTP on its TLS port.
constexpr char kGoTlsAnswer[] = "Client sent an HTTP request to an HTTPS server.\n";
constexpr char kHint[] = "set [security] ca_path, cert_path and key_path";

Status PollPd(FakeUpstreams& upstreams, const std::string& endpoint, bool tls_configured) {
  PdCollectorOptions options;
  options.endpoints = {endpoint};
  options.tls_configured = tls_configured;
  options.host = HostIdentity{};
  PdCollector collector(
      [&](const std::string& url) { return MakePdHttpClient(upstreams.Fetcher(url), 1 << 20); },
      options);
  return collector.Collect(Clock::now() + std::chrono::milliseconds(200)).status();
}

TEST(TlsHint, PdAnsweringPlainHttpWithItsTlsErrorSaysWhatToSet) {
  FakeUpstreams upstreams;
  upstreams.Answer("http://pd:2379", "/pd/api/v1/members", kGoTlsAnswer, 400);
  Status status = PollPd(upstreams, "http://pd:2379", false);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("GET http://pd:2379/pd/api/v1/members answered HTTP 400"),
            std::string::npos);
  EXPECT_NE(status.message().find("serves HTTPS only; use https:// and " + std::string(kHint)),
            std::string::npos)
      << status.message();
}

TEST(TlsHint, AnOrdinary400HasNoHint) {
  FakeUpstreams upstreams;
  upstreams.Answer("http://pd:2379", "/pd/api/v1/members", "bad request", 400);
  Status status = PollPd(upstreams, "http://pd:2379", false);
  EXPECT_EQ(status.message().find(kHint), std::string::npos) << status.message();
}

TEST(TlsHint, HttpsMembersWithoutSecuritySayWhatToSet) {
  FakeUpstreams upstreams;  // the handshake fails: nothing answers
  Status status = PollPd(upstreams, "https://pd:2379", false);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("https://pd:2379 is https:// but [security] is empty: " +
                                  std::string(kHint)),
            std::string::npos)
      << status.message();
  EXPECT_EQ(PollPd(upstreams, "https://pd:2379", true).message().find(kHint), std::string::npos);
}

TEST(TlsHint, TikvAnsweringPlainHttpWithATlsErrorSaysWhatToSet) {
  FakeUpstreams upstreams;
  upstreams.Answer("http://127.0.0.1:20180", "/status", kGoTlsAnswer, 400);
  TikvCollector collector(upstreams.Fetcher("http://127.0.0.1:20180"), 1 << 20, ParseLimits{});
  Status status = collector.Collect(Clock::now() + std::chrono::milliseconds(200)).status();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("GET http://127.0.0.1:20180/status answered HTTP 400"),
            std::string::npos);
  EXPECT_NE(status.message().find(kHint), std::string::npos) << status.message();
}

}  // namespace
}  // namespace tikv_exporter
