#pragma once

#include <atomic>
#include <string>

namespace httplib {
class Server;
}

namespace tikv_exporter::sim {

// How a simulated server misbehaves, switchable at run time. "down" (a closed port) is not
// here: the owner of the listening socket does that.
enum class Fault {
  kNone,
  kSlow,       // every answer waits delay_ms
  kHang,       // accepts, reads the request, never answers (until the fault changes)
  kError,      // HTTP `code` (default 500)
  kGarbage,    // 200 with bytes that are neither Prometheus text nor JSON
  kMidBody,    // announces a body, sends half of it and closes the connection
  kHuge,       // 200 with a 2 GiB body, streamed
  kWrongType,  // 200 text/html: a proxy's login page instead of the API
  kFlap,       // every other poll healthy, the others cycle through the faults above
  kBadUtf8,    // the normal answers, with invalid UTF-8 in every version label (see Distort)
};

// What badutf8 mode inserts: a byte that is never UTF-8, an overlong NUL and an encoded
// surrogate (U+D800); a strict decoder replaces them with six U+FFFD.
inline constexpr char kBadUtf8Bytes[] = "\xFF\xC0\x80\xED\xA0\x80";

// Parses one of FaultNames(); false when unknown.
bool ParseFault(const std::string& name, Fault* fault);
const char* FaultName(Fault fault);
// Every fault's name: "none|slow|hang|error|garbage|midbody|huge|wrongtype|flap|badutf8".
std::string FaultNames();

// Applies the current fault to every request of one httplib server (its pre-routing handler).
// `poll_path` is the first request of each poll (TiKV: /status; PD: /pd/api/v1/members): in
// flap mode each one starts the next healthy or faulty round. Thread-safe; must outlive the
// servers it is installed on.
class FaultInjector {
 public:
  explicit FaultInjector(std::string poll_path) : poll_path_(std::move(poll_path)) {}

  void Set(Fault fault, int delay_ms, int code);
  void InstallOn(httplib::Server& server);
  std::string StateText() const;  // "fault F delay_ms N code C\n"
  // The body a route handler is about to send, as the current fault wants it: in badutf8 mode
  // every Prometheus `version="` label value and every JSON "version" string starts with
  // kBadUtf8Bytes (JSON also with an unpaired surrogate escape \ud800); otherwise unchanged.
  std::string Distort(std::string body) const;
  Fault fault() const { return fault_.load(); }

 private:
  const std::string poll_path_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> delay_ms_{0};
  std::atomic<int> code_{500};
  std::atomic<uint64_t> generation_{0};  // changes with every Set(): ends a hang
  std::atomic<uint64_t> flap_round_{0};
};

}  // namespace tikv_exporter::sim
