// The exporter's request framing: what a complete request is, and which heads are refused.

#include "server/http_request.h"

#include <gtest/gtest.h>

namespace tikv_exporter {
namespace {

using State = RequestScan::State;

TEST(ScanRequest, ParsesAPipelinedRequestAndLeavesTheNextOne) {
  const std::string first = "GET /api/v1/snapshots?since=12%33&x HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n";
  RequestScan scan = ScanRequest(first + "GET /metrics HTTP/1.1\r\n", {});
  ASSERT_EQ(scan.state, State::kComplete);
  EXPECT_EQ(scan.consumed, first.size());
  EXPECT_EQ(scan.request.method, "GET");
  EXPECT_EQ(scan.request.path, "/api/v1/snapshots");
  EXPECT_EQ(scan.request.query.at("since"), "123");
  EXPECT_EQ(scan.request.Header("accept-encoding"), "gzip");
  EXPECT_TRUE(scan.request.KeepAlive());
}

TEST(ScanRequest, WaitsForTheRestOfTheHeadAndOfASmallBody) {
  EXPECT_EQ(ScanRequest("GET /metrics HTTP/1.1\r\nHost: a\r\n", {}).state, State::kIncomplete);
  EXPECT_EQ(ScanRequest("POST /-/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab", {}).state,
            State::kIncomplete);
  RequestScan scan = ScanRequest("POST /-/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd", {});
  ASSERT_EQ(scan.state, State::kComplete);
  EXPECT_EQ(scan.request.body_bytes, 4u);
}

TEST(ScanRequest, RefusesWhatNoEndpointNeeds) {
  const RequestLimits limits;
  const std::pair<std::string, int> cases[] = {
      {"GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a'), 431},  // no end in sight
      {"GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"POST /-/reload HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n", 413},
      {"POST /-/reload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
      {"POST /-/reload HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", 400},
      {"POST /-/reload HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET metrics HTTP/1.1\r\n\r\n", 400},
      {"GET /metrics HTTP/2.0\r\n\r\n", 400},
      {"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", 400},
  };
  for (const auto& [bytes, status] : cases) {
    RequestScan scan = ScanRequest(bytes, limits);
    EXPECT_EQ(scan.state, State::kRejected) << bytes.substr(0, 60);
    EXPECT_EQ(scan.reject_status, status) << bytes.substr(0, 60);
  }
  std::string many = "GET /metrics HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(ScanRequest(many + "\r\n", limits).reject_status, 431);
}

TEST(ScanRequest, HonoursConnectionHeaders) {
  EXPECT_FALSE(ScanRequest("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n", {}).request.KeepAlive());
  EXPECT_FALSE(ScanRequest("GET / HTTP/1.0\r\n\r\n", {}).request.KeepAlive());
  EXPECT_TRUE(ScanRequest("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", {}).request.KeepAlive());
}

// RFC 9112 details a hostile or sloppy client tries: each was accepted (or refused) wrongly by
// the round-2 parser.
TEST(ScanRequest, RefusesAMissingOrRepeatedHostAndBareLineBreaks) {
  constexpr char kNulInValue[] = "GET /metrics HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
  const std::pair<std::string, int> cases[] = {
      {"GET /metrics HTTP/1.1\r\n\r\n", 400},
      {"GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"GET /metrics HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
      {"GET /metrics HTTP/1.1\r\nHost: a\r\nX: a\nInjected: b\r\n\r\n", 400},
      {std::string(kNulInValue, sizeof(kNulInValue) - 1), 400},
      {"GET /me\rtrics HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"POST /-/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n", 417},
      {"GET /metrics HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n", 417},
      {"GET ftp://a/metrics HTTP/1.1\r\nHost: a\r\n\r\n", 400},
  };
  for (const auto& [bytes, status] : cases) {
    RequestScan scan = ScanRequest(bytes, {});
    EXPECT_EQ(scan.state, State::kRejected) << bytes;
    EXPECT_EQ(scan.reject_status, status) << bytes;
  }
  EXPECT_EQ(ScanRequest("GET /metrics HTTP/1.0\r\n\r\n", {}).state, State::kComplete) << "HTTP/1.0 needs no Host";
}

TEST(ScanRequest, CountsEachRefusalUnderItsOwnLimit) {
  EXPECT_EQ(ScanRequest("GET metrics HTTP/1.1\r\nHost: a\r\n\r\n", {}).limit, Limit::kHttpRequestMalformed);
  EXPECT_EQ(ScanRequest("GET /metrics HTTP/1.1\r\n\r\n", {}).limit, Limit::kHttpRequestMalformed);
  EXPECT_EQ(ScanRequest("GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a'), {}).limit,
            Limit::kHttpRequestHeadBytes);
  EXPECT_EQ(ScanRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n", {}).limit,
            Limit::kHttpRequestBodyBytes);
}

TEST(ScanRequest, AcceptsAbsoluteFormTargetsAndAnExpectationWithoutABody) {
  RequestScan scan = ScanRequest("GET http://node:20180/api/v1/snapshots?since=5 HTTP/1.1\r\nHost: node\r\n\r\n", {});
  ASSERT_EQ(scan.state, State::kComplete);
  EXPECT_EQ(scan.request.path, "/api/v1/snapshots");
  EXPECT_EQ(scan.request.query.at("since"), "5");
  EXPECT_EQ(ScanRequest("GET HTTPS://node HTTP/1.1\r\nHost: node\r\n\r\n", {}).request.path, "/");
  EXPECT_EQ(ScanRequest("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", {}).state, State::kComplete);
}

TEST(AcceptsGzip, HonoursQValues) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.001"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000, deflate"));
  EXPECT_FALSE(AcceptsGzip("*;q=1, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

}  // namespace
}  // namespace tikv_exporter
