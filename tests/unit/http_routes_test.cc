// The server's route table and the policy every route shares: auth unless public, the method,
// 404. The server names no endpoint; these routes are made up.

#include "server/http_routes.h"

#include <gtest/gtest.h>

namespace tikv_exporter {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

std::string HeaderOf(const HttpReply& reply, const std::string& name) {
  for (const auto& [key, value] : reply.headers) {
    if (key == name) return value;
  }
  return "";
}

HttpRoutes Routes() {
  HttpRoutes routes;
  routes.Add(
      "GET", "/thing", [](const HttpRequest&) { return HttpReply::Text(200, "thing\n"); }, false);
  routes.Add(
      "POST", "/thing", [](const HttpRequest&) { return HttpReply::Text(202, "posted\n"); }, false);
  routes.Add(
      "GET", "/open", [](const HttpRequest&) { return HttpReply::Text(200, "open\n"); }, true);
  return routes;
}

TEST(HttpRoutes, AnswersByPathAndMethodWithHeadForGetAnd405Or404Otherwise) {
  const HttpRoutes routes = Routes();
  BasicAuth no_auth({});
  EXPECT_EQ(routes.Answer(Request("GET", "/thing"), no_auth, {}).body, "thing\n");
  EXPECT_EQ(routes.Answer(Request("HEAD", "/thing"), no_auth, {}).status, 200);
  EXPECT_EQ(routes.Answer(Request("POST", "/thing"), no_auth, {}).status, 202);
  const HttpReply wrong = routes.Answer(Request("DELETE", "/thing"), no_auth, {});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(HeaderOf(wrong, "Allow"), "GET, HEAD, POST");
  EXPECT_EQ(routes.Answer(Request("GET", "/nothing"), no_auth, {}).status, 404);
}

TEST(HttpRoutes, WithAuthOnlyPublicRoutesAnswerWithoutCredentials) {
  const HttpRoutes routes = Routes();
  // No credentials are refused before any hash is compared, so the hash need not be real here.
  BasicAuth auth({{"alice", "$2y$10$" + std::string(53, 'a')}});
  EXPECT_EQ(routes.Answer(Request("GET", "/open"), auth, {}).status, 200);
  const HttpReply refused = routes.Answer(Request("GET", "/thing"), auth, {});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(HeaderOf(refused, "WWW-Authenticate"), "Basic realm=\"tikv-exporter\"");
  EXPECT_EQ(routes.Answer(Request("GET", "/nothing"), auth, {}).status, 401)
      << "unknown paths reveal nothing";
}

}  // namespace
}  // namespace tikv_exporter
