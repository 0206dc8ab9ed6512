#include "snapshot/health_metrics.h"

namespace tikv_exporter {

void AddHealthSeries(const HealthVerdict& verdict, Families& f) {
  // A verdict that evaluated no check has no level: 0 would read as ok.
  if (verdict.Evaluated().empty()) return;
  Set(f.Gauge("tikv_exporter_health_level",
              "The node's health verdict, the worst of its checks: 0 ok, 1 warning, 2 critical "
              "(GET /api/v1/health gives the reasons)."),
      {}, static_cast<int>(verdict.level));
  auto& checks = f.Gauge("tikv_exporter_health_check_level",
                         "One health check's level: 0 ok, 1 warning, 2 critical; absent when the node does not "
                         "export the check's inputs or the check is disabled.");
  for (const HealthCheckResult& check : verdict.checks) {
    if (check.level) {
      Set(checks, {{"check", std::string(NameOf(kHealthCheckNames, check.check))}},
          static_cast<int>(*check.level));
    }
  }
}

}  // namespace tikv_exporter
