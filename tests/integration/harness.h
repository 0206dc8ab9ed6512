#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tikv_exporter::testing {

// A child process started with fork/exec, its stdout and stderr going to `log_path`. Sends
// SIGTERM (then SIGKILL) and reaps it on destruction. Not thread-safe.
class Process {
 public:
  Process(std::vector<std::string> argv, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Stops the process; returns its exit status (as from waitpid), or -1 when it was killed.
  int Stop();
  bool Running();
  int pid() const { return pid_; }
  std::string Log() const;

 private:
  int pid_ = -1;
  std::string log_path_;
};

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

struct HttpResult {
  int status = 0;  // 0 = no answer
  std::string body;
  std::map<std::string, std::string> headers;
};

// One GET or POST to 127.0.0.1:`port`. A GET of /metrics (also by HttpsRequest) fails the
// running test for each series the body exposes twice (see DuplicateSeries).
HttpResult HttpGet(int port, const std::string& path,
                   const std::map<std::string, std::string>& headers = {});
HttpResult HttpPost(int port, const std::string& path);
// One GET (POST when `post`) to https://127.0.0.1:`port`, verifying the server against `ca_file`,
// with basic auth when `user` is not empty.
HttpResult HttpsRequest(int port, const std::string& path, const std::string& ca_file, const std::string& user,
                        const std::string& password, bool post);

// The series ("name{label="value",...}", labels sorted) that appear more than once in a
// Prometheus text body, once per extra appearance.
std::vector<std::string> DuplicateSeries(const std::string& body);

// What /proc says about a process: open file descriptors, threads, resident memory.
struct ProcessUsage {
  int fds = 0;
  int threads = 0;
  long rss_kib = 0;
  long peak_rss_kib = 0;  // VmHWM: the most it was ever resident
};
ProcessUsage UsageOf(int pid);

// A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range (so no
// outgoing connection takes it) and reserved against other test processes until this one exits.
int FreePort();

// Polls `condition` every 100 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// The value of one sample of a Prometheus text body; nullopt when absent.
// `labels` must all match (other labels are ignored).
std::optional<double> SampleValue(const std::string& body, const std::string& name,
                                  const std::map<std::string, std::string>& labels = {});

// tikv_exporter_collector_success{collector} in a /metrics body: 1 up, 0 down, -1 absent.
double CollectorUp(const std::string& metrics, const std::string& collector);

// tikv_exporter_limit_hits_total{limit} in a /metrics body, 0 when absent.
double LimitHits(const std::string& metrics, const std::string& limit);

// A free port p whose partner p + `offset` was free too (a TiKV status port and its sidecar's).
int FreePortWithPartner(int offset);

// Percent-encodes `text` for a URL query parameter.
std::string UrlEncode(const std::string& text);

// The single value of a PromQL instant query against the Prometheus at `port`; nullopt when the
// result is empty or the query failed.
std::optional<double> PromQuery(int port, const std::string& promql);

// Starts Debian's Prometheus on 127.0.0.1:`port` with `config_yaml`, its data in `dir`.
std::unique_ptr<Process> StartPrometheus(const TempDir& dir, int port, const std::string& config_yaml);

// A raw TCP connection to 127.0.0.1:`port`, for clients that misbehave below HTTP (dribbling,
// pipelining, never reading). Closed on destruction. Not thread-safe.
class RawConnection {
 public:
  // `receive_buffer` > 0 shrinks SO_RCVBUF before connecting (a client that reads slowly).
  explicit RawConnection(int port, int receive_buffer = 0);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  // Sends all of `bytes`; false when the peer closed or reset the connection.
  bool Send(const std::string& bytes);
  // What arrives until the peer closes or `timeout` passes.
  std::string ReceiveUntilClosed(std::chrono::milliseconds timeout);
  // True when the peer has closed (or reset) the connection within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout);

 private:
  int fd_;
  bool connected_ = false;
};

// Raises this process's open-file limit to its hard limit (tests that open many connections).
void RaiseFileLimit();

// Runs a shell command; returns its exit code and fills `output` with stdout+stderr.
int RunCommand(const std::string& command, std::string* output);

}  // namespace tikv_exporter::testing
