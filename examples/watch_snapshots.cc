// Watches a sidecar's snapshots over gRPC and prints one line per snapshot:
//   build/bin/watch_snapshots 127.0.0.1:20191

#include <cstdio>

#include "client/snapshot_client.h"

namespace {

std::string Or(const std::optional<double>& value, const char* format) {
  if (!value) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, *value);
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: watch_snapshots HOST:PORT   (the sidecar's grpc_listen_address)\n");
    return 2;
  }
  auto client = tikv_exporter::client::SnapshotClient::Connect(argv[1]);
  tikv_exporter::Status status = client->Watch([](const tikv_exporter::client::MetricsSnapshot& s) {
    std::printf("#%llu qps=%s latency_ms=%s p99_ms=%s storage_size=%s compaction_pending=%s\n",
                static_cast<unsigned long long>(s.sequence), Or(s.qps, "%.1f").c_str(),
                Or(s.latency_ms, "%.3f").c_str(), Or(s.latency_p99_ms, "%.3f").c_str(),
                Or(s.storage_size, "%.0f").c_str(), Or(s.compaction_pending, "%.0f").c_str());
    std::fflush(stdout);
    return true;
  });
  std::fprintf(stderr, "watch ended: %s\n", status.ok() ? "ok" : status.message().c_str());
  return status.ok() ? 0 : 1;
}
