// The HTTP fetcher against an in-process cpp-httplib server over real loopback sockets.

#include "collectors/http_fetcher.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>
#include <vector>

#include "common/mutex.h"
#include "tools/tikv-sim/hostile_upstream.h"

namespace tikv_exporter {
namespace {

using namespace std::chrono_literals;

class HttpFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      accept_encoding_ = req.get_header_value("Accept-Encoding");
      res.set_content(std::string(100000, 'x'), "text/plain; version=0.0.4");  // gzip applied by httplib
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1500ms);
      res.set_content("late", "text/plain");
    });
    server_.Get("/drip", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        std::this_thread::sleep_for(100ms);
        return sink.write("x", 1);
      });
    });
    server_.Get("/status", [this](const httplib::Request& req, httplib::Response&) {
      MutexLock lock(ports_mutex_);
      client_ports_.push_back(req.remote_port);  // one port per connection the fetcher opened
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op before the accept loop runs: wait for it so TearDown can stop it.
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  // These tests reach their server over loopback, where a fetcher asks for no gzip unless told.
  std::unique_ptr<HttpFetcher> Fetcher(ConnectionLimiter* limiter = nullptr, AskGzip gzip = AskGzip::kAlways) {
    return MakeHttpFetcher("http://127.0.0.1:" + std::to_string(port_), limiter, {}, gzip);
  }
  static HttpRequestOptions Options(std::chrono::milliseconds timeout, size_t max_bytes = 1 << 20) {
    return {std::chrono::steady_clock::now() + timeout, max_bytes};
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::string accept_encoding_;
  Mutex ports_mutex_;
  std::vector<int> client_ports_ ABSL_GUARDED_BY(ports_mutex_);
};

TEST_F(HttpFetcherTest, AsksForGzipAndDecompresses) {
  StatusOr<HttpResponse> response = Fetcher()->Get("/metrics", Options(2s));
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::string(100000, 'x'));
  EXPECT_NE(accept_encoding_.find("gzip"), std::string::npos);
}

TEST_F(HttpFetcherTest, OverLoopbackAsksForNoGzip) {
  StatusOr<HttpResponse> response = Fetcher(nullptr, AskGzip::kUnlessLoopback)->Get("/metrics", Options(2s));
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->body, std::string(100000, 'x'));
  EXPECT_EQ(accept_encoding_.find("gzip"), std::string::npos) << accept_encoding_;
}

TEST_F(HttpFetcherTest, TheBodyIsWrittenIntoTheBufferGivenAndKeepsItsStorage) {
  std::string buffer = "the last body";
  buffer.reserve(300'000);
  const char* storage = buffer.data();
  HttpRequestOptions options = Options(2s);
  options.body_buffer = &buffer;
  StatusOr<HttpResponse> response = Fetcher()->Get("/metrics", options);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->body, std::string(100'000, 'x'));  // the old contents cleared first
  EXPECT_EQ(response->body.data(), storage);             // written in place: no new buffer
  EXPECT_GE(response->body.capacity(), 300'000u);
}

TEST_F(HttpFetcherTest, AnEmptyStatusIsA200) {
  StatusOr<HttpResponse> response = Fetcher()->Get("/status", Options(2s));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
}

TEST_F(HttpFetcherTest, BoundsTheBodyAfterDecompression) {
  // 100 kB of 'x' compresses to a few hundred bytes: the bound applies to what it inflates to.
  StatusOr<HttpResponse> response = Fetcher()->Get("/metrics", Options(2s, 50000));
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("larger than 50000 bytes"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(response.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(response.status().limit(), Limit::kUpstreamBodyBytes);
}

TEST_F(HttpFetcherTest, GivesUpAtTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<HttpResponse> response = Fetcher()->Get("/slow", Options(300ms));
  EXPECT_FALSE(response.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1200ms);
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);
}

TEST_F(HttpFetcherTest, ASlowDripDoesNotOutliveTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<HttpResponse> response = Fetcher()->Get("/drip", Options(500ms));
  ASSERT_FALSE(response.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_NE(response.status().message().find("deadline"), std::string::npos) << response.status().message();
}

TEST_F(HttpFetcherTest, ARefusedConnectionIsAnError) {
  StatusOr<HttpResponse> response = MakeHttpFetcher("http://127.0.0.1:1", nullptr)->Get("/metrics", Options(1s));
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("127.0.0.1:1/metrics"), std::string::npos);
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << "the upstream's state, not ours";
}

TEST_F(HttpFetcherTest, WaitsForAFreeConnectionSlotOnlyUntilTheDeadline) {
  ConnectionLimiter limiter(1);
  ASSERT_TRUE(limiter.AcquireUntil(std::chrono::steady_clock::now()));  // the only slot is taken
  StatusOr<HttpResponse> response = Fetcher(&limiter)->Get("/status", Options(200ms));
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("max_connections"), std::string::npos);
  limiter.Release();
  EXPECT_TRUE(Fetcher(&limiter)->Get("/status", Options(2s)).ok());
}

TEST_F(HttpFetcherTest, RequestsThatKeepTheConnectionShareOneUntilItIsClosed) {
  std::unique_ptr<HttpFetcher> fetcher = Fetcher();
  HttpRequestOptions keep = Options(2s);
  keep.keep_connection = true;
  ASSERT_TRUE(fetcher->Get("/status", keep).ok());
  ASSERT_TRUE(fetcher->Get("/status", keep).ok());
  ASSERT_TRUE(fetcher->Get("/status", Options(2s)).ok());  // the last on it: closes it after
  ASSERT_TRUE(fetcher->Get("/status", keep).ok());
  fetcher->CloseConnection();
  ASSERT_TRUE(fetcher->Get("/status", Options(2s)).ok());
  ASSERT_TRUE(fetcher->Get("/status", Options(2s)).ok());
  MutexLock lock(ports_mutex_);
  ASSERT_EQ(client_ports_.size(), 6u);
  EXPECT_EQ(client_ports_[1], client_ports_[0]);
  EXPECT_EQ(client_ports_[2], client_ports_[0]);
  // Each closed connection's client port is in TIME_WAIT, so a new connection has another.
  EXPECT_NE(client_ports_[3], client_ports_[2]);
  EXPECT_NE(client_ports_[4], client_ports_[3]);
  EXPECT_NE(client_ports_[5], client_ports_[4]);
}

TEST_F(HttpFetcherTest, AKeptConnectionHoldsItsSlotUntilClosed) {
  ConnectionLimiter limiter(1);
  std::unique_ptr<HttpFetcher> keeper = Fetcher(&limiter);
  HttpRequestOptions keep = Options(2s);
  keep.keep_connection = true;
  ASSERT_TRUE(keeper->Get("/status", keep).ok());
  StatusOr<HttpResponse> other = Fetcher(&limiter)->Get("/status", Options(200ms));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("max_connections"), std::string::npos);
  ASSERT_TRUE(keeper->Get("/status", keep).ok()) << "the kept connection needs no second slot";
  keeper->CloseConnection();
  EXPECT_TRUE(Fetcher(&limiter)->Get("/status", Options(2s)).ok());
  ASSERT_TRUE(keeper->Get("/status", keep).ok());
  keeper.reset();  // a fetcher dropped with a kept connection gives its slot back
  EXPECT_TRUE(Fetcher(&limiter)->Get("/status", Options(2s)).ok());
}

// Upstreams that misbehave below HTTP, over a raw loopback socket.
class HostileUpstreamTest : public ::testing::Test {
 protected:
  StatusOr<HttpResponse> GetFrom(sim::HostileMode mode, std::chrono::milliseconds timeout) {
    sim::HostileUpstream upstream(mode);
    const int port = upstream.Start();
    EXPECT_GT(port, 0);
    const auto start = std::chrono::steady_clock::now();
    StatusOr<HttpResponse> response = MakeHttpFetcher("http://127.0.0.1:" + std::to_string(port), nullptr)
                                          ->Get("/metrics", {start + timeout, 1 << 20});
    took_ = std::chrono::steady_clock::now() - start;
    return response;
  }
  std::chrono::steady_clock::duration took_{};
};

TEST_F(HostileUpstreamTest, AHugeReasonPhraseIsABoundedErrorNotACrash) {
  StatusOr<HttpResponse> response = GetFrom(sim::HostileMode::kLongReason, 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().limit(), Limit::kUpstreamHeaderBytes) << response.status().message();
}

TEST_F(HostileUpstreamTest, AnEndlessHeaderBlockStopsAtTheHeadBound) {
  StatusOr<HttpResponse> response = GetFrom(sim::HostileMode::kEndlessHeaders, 10s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().limit(), Limit::kUpstreamHeaderBytes);
  EXPECT_NE(response.status().message().find("larger than 65536 bytes"), std::string::npos)
      << response.status().message();
}

TEST_F(HostileUpstreamTest, ADrippedHeadEndsAtTheDeadline) {
  StatusOr<HttpResponse> response = GetFrom(sim::HostileMode::kSlowHeaders, 1500ms);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("deadline"), std::string::npos) << response.status().message();
  EXPECT_LT(took_, 4s);
}

TEST_F(HostileUpstreamTest, ConflictingContentLengthsAreAFailedFetch) {
  StatusOr<HttpResponse> response = GetFrom(sim::HostileMode::kConflictingLength, 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("conflicting Content-Length"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(response.status().code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace tikv_exporter
