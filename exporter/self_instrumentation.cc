#include "exporter/self_instrumentation.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <string_view>

#include "exporter/client_families.h"
#include "exporter/process_collector.h"

namespace tikv_exporter {
namespace {

// Any other path is "other": a client sending random paths must not grow the series without bound.
constexpr std::array<std::string_view, 8> kKnownPaths = {
    "/", "/metrics", "/-/healthy", "/-/ready", "/-/reload", "/api/v1/snapshot", "/api/v1/snapshots", "/api/v1/targets"};

}  // namespace

// The names are constants prometheus-cpp accepts, so its builders cannot throw here.
SelfInstrumentation::SelfInstrumentation(std::string proc_root)
    : registry_(std::make_unique<prometheus::Registry>()),
      requests_(&prometheus::BuildCounter()
                     .Name("tikv_exporter_http_requests_total")
                     .Help("HTTP requests served by the exporter, by path and status code.")
                     .Register(*registry_)),
      in_flight_(&prometheus::BuildGauge()
                      .Name("tikv_exporter_http_requests_in_flight")
                      .Help("HTTP requests the exporter is answering now (this scrape included).")
                      .Register(*registry_)
                      .Add({})),
      process_(std::make_unique<ProcessCollector>(std::move(proc_root))) {}

SelfInstrumentation::~SelfInstrumentation() = default;

void SelfInstrumentation::InFlight(int delta) { in_flight_->Increment(delta); }

void SelfInstrumentation::Observe(const std::string& path, int status) {
  std::string label = "other";
  for (std::string_view known : kKnownPaths) {
    if (path == known) label = std::string(known);
  }
  requests_->Add({{"code", std::to_string(status)}, {"path", label}}).Increment();
}

void SelfInstrumentation::AppendTo(Families& families) const {
  AppendClientFamilies(registry_->Collect(), families);
  AppendClientFamilies(process_->Collect(), families);
}

}  // namespace tikv_exporter
