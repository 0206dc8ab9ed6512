// hostile-peer: an upstream that answers every request in one hostile way (see
// hostile_upstream.h), for tests and for trying the exporter by hand:
//   hostile-peer --port 20180 --mode slow-headers

#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "tools/tikv-sim/hostile_upstream.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
}

int main(int argc, char** argv) {
  using tikv_exporter::sim::HostileMode;
  int port = 0;
  HostileMode mode = HostileMode::kSilent;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--port") {
      port = std::stoi(argv[i + 1]);
    } else if (flag != "--mode" || !tikv_exporter::sim::ParseHostileMode(argv[i + 1], &mode)) {
      std::fprintf(stderr, "usage: hostile-peer --port P --mode %s\n", tikv_exporter::sim::HostileModeNames().c_str());
      return 2;
    }
  }
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  tikv_exporter::sim::HostileUpstream upstream(mode);
  const int bound = upstream.Start(port);
  if (bound < 0) {
    std::fprintf(stderr, "hostile-peer: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  std::printf("hostile-peer listening on 127.0.0.1:%d\n", bound);
  std::fflush(stdout);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}
