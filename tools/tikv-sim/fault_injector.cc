#include "tools/tikv-sim/fault_injector.h"

#include <httplib.h>

#include <chrono>
#include <thread>

namespace tikv_exporter::sim {
namespace {

constexpr std::pair<const char*, Fault> kFaults[] = {
    {"none", Fault::kNone},       {"slow", Fault::kSlow},   {"hang", Fault::kHang},
    {"error", Fault::kError},     {"garbage", Fault::kGarbage}, {"midbody", Fault::kMidBody},
    {"huge", Fault::kHuge},       {"wrongtype", Fault::kWrongType}, {"flap", Fault::kFlap},
    {"badutf8", Fault::kBadUtf8},
};

// What flap mode cycles through on its faulty rounds (a hang would outlive the round).
constexpr Fault kFlapFaults[] = {Fault::kError, Fault::kGarbage, Fault::kMidBody, Fault::kWrongType, Fault::kSlow};

constexpr uint64_t kHugeBodyBytes = 2ULL << 30;

}  // namespace

bool ParseFault(const std::string& name, Fault* fault) {
  for (const auto& [candidate, value] : kFaults) {
    if (name == candidate) {
      *fault = value;
      return true;
    }
  }
  return false;
}

std::string FaultNames() {
  std::string names;
  for (const auto& [name, value] : kFaults) names += (names.empty() ? "" : "|") + std::string(name);
  return names;
}

const char* FaultName(Fault fault) {
  for (const auto& [name, value] : kFaults) {
    if (fault == value) return name;
  }
  return "none";
}

void FaultInjector::Set(Fault fault, int delay_ms, int code) {
  delay_ms_ = delay_ms;
  code_ = code >= 100 && code <= 599 ? code : 500;
  fault_ = fault;
  ++generation_;
}

std::string FaultInjector::StateText() const {
  return std::string("fault ") + FaultName(fault_.load()) + " delay_ms " + std::to_string(delay_ms_.load()) +
         " code " + std::to_string(code_.load()) + "\n";
}

std::string FaultInjector::Distort(std::string body) const {
  if (fault_.load() != Fault::kBadUtf8) return body;
  // Where the version goes in TiKV's tikv_server_info and in PD's /status and /stores.
  const std::pair<std::string_view, std::string> marks[] = {
      {"version=\"", kBadUtf8Bytes}, {"\"version\":\"", std::string(kBadUtf8Bytes) + "\\ud800"}};
  for (const auto& [mark, bad] : marks) {
    for (size_t at = body.find(mark); at != std::string::npos; at = body.find(mark, at + mark.size() + bad.size())) {
      body.insert(at + mark.size(), bad);
    }
  }
  return body;
}

void FaultInjector::InstallOn(httplib::Server& server) {
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using Handled = httplib::Server::HandlerResponse;
    Fault fault = fault_.load();
    int code = code_.load();
    if (fault == Fault::kFlap) {
      const uint64_t round = req.path == poll_path_ ? ++flap_round_ : flap_round_.load();
      fault = round % 2 == 0 ? Fault::kNone : kFlapFaults[(round / 2) % std::size(kFlapFaults)];
      code = (round / 2) % 2 == 0 ? 500 : 503;
    }
    switch (fault) {
      case Fault::kNone:
      case Fault::kFlap:
      case Fault::kBadUtf8:  // the route answers; Distort() changes its body
        return Handled::Unhandled;
      case Fault::kSlow:
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
        return Handled::Unhandled;
      case Fault::kHang: {
        const uint64_t generation = generation_.load();
        while (generation_.load() == generation) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        res.status = 503;
        res.set_content("the hang was released\n", "text/plain");
        return Handled::Handled;
      }
      case Fault::kError:
        res.status = code;
        res.set_content("simulated error\n", "text/plain");
        return Handled::Handled;
      case Fault::kGarbage:
        res.set_content("<html>\x01\x02 not { prometheus = \"text\n", "text/plain; version=0.0.4");
        return Handled::Handled;
      case Fault::kWrongType:
        res.set_content("<!DOCTYPE html><html><body><form>Sign in</form></body></html>\n", "text/html; charset=utf-8");
        return Handled::Handled;
      case Fault::kMidBody:
        res.set_content_provider(1 << 20, "text/plain; version=0.0.4",
                                 [](size_t offset, size_t, httplib::DataSink& sink) {
                                   if (offset > 0) return false;  // half sent: drop the connection
                                   const std::string half((1 << 19), '#');
                                   sink.write(half.data(), half.size());
                                   return true;
                                 });
        return Handled::Handled;
      case Fault::kHuge:
        res.set_content_provider(kHugeBodyBytes, "text/plain; version=0.0.4",
                                 [](size_t, size_t length, httplib::DataSink& sink) {
                                   static const std::string chunk = [] {
                                     std::string text;
                                     while (text.size() < (64 << 10)) text += "tikv_filler{a=\"b\"} 1\n";
                                     return text;
                                   }();
                                   const size_t n = std::min(length, chunk.size());
                                   return sink.write(chunk.data(), n);
                                 });
        return Handled::Handled;
    }
    return Handled::Unhandled;
  });
}

}  // namespace tikv_exporter::sim
