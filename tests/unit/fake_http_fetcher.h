#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "collectors/http_fetcher.h"

namespace tikv_exporter::testing {

// Scripted upstreams for collector tests, keyed by base URL: each answers the paths it was given
// (404 for others), hangs (waits until the request's deadline, then fails as the real fetcher
// does), or — when unknown — refuses the connection. Every request is recorded with its
// deadline. Outlives the fetchers it makes; not thread-safe.
class FakeUpstreams {
 public:
  struct Call {
    std::string url;
    std::string path;
    std::chrono::steady_clock::time_point deadline;
    bool keep_connection = false;
    bool connection_closed = false;  // CloseConnection() was called after this request
  };

  void Answer(const std::string& url, const std::string& path, std::string body, int status = 200,
              std::string content_type = "application/json") {
    answers_[url][path] = HttpResponse{status, std::move(body), std::move(content_type)};
  }
  void Hang(const std::string& url) { hanging_.insert(url); }
  void Heal(const std::string& url) { hanging_.erase(url); }
  void Refuse(const std::string& url) { answers_.erase(url); }

  std::unique_ptr<HttpFetcher> Fetcher(const std::string& base_url) {
    return std::make_unique<ScriptedFetcher>(base_url, this);
  }
  const std::vector<Call>& calls() const { return calls_; }
  void ClearCalls() { calls_.clear(); }
  // The base URLs asked for `path`, in order.
  std::vector<std::string> Asked(const std::string& path) const {
    std::vector<std::string> urls;
    for (const Call& call : calls_) {
      if (call.path == path) urls.push_back(call.url);
    }
    return urls;
  }

 private:
  class ScriptedFetcher : public HttpFetcher {
   public:
    ScriptedFetcher(std::string base_url, FakeUpstreams* world)
        : base_url_(std::move(base_url)), world_(world) {}
    const std::string& base_url() const override { return base_url_; }
    StatusOr<HttpResponse> Get(std::string_view path, const HttpRequestOptions& options) override {
      world_->calls_.push_back({base_url_, std::string(path), options.deadline, options.keep_connection});
      const std::string what = "GET " + base_url_ + std::string(path) + ": ";
      if (world_->hanging_.contains(base_url_)) {
        std::this_thread::sleep_until(options.deadline);
        return Status::DeadlineExceeded(what + "no complete answer before the deadline");
      }
      auto url = world_->answers_.find(base_url_);
      if (url == world_->answers_.end())
        return Status::Unavailable(what + "connection refused or unreachable");
      auto answer = url->second.find(std::string(path));
      if (answer == url->second.end())
        return HttpResponse{404, "404 page not found\n", "text/plain"};
      return answer->second;
    }

    void CloseConnection() override {
      for (auto call = world_->calls_.rbegin(); call != world_->calls_.rend(); ++call) {
        if (call->url == base_url_) {
          call->connection_closed = true;
          return;
        }
      }
    }

   private:
    const std::string base_url_;
    FakeUpstreams* const world_;
  };

  std::map<std::string, std::map<std::string, HttpResponse>> answers_;
  std::set<std::string> hanging_;
  std::vector<Call> calls_;
};

}  // namespace tikv_exporter::testing
