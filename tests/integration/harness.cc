#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>
#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "prom/exposition_parser.h"

namespace tikv_exporter::testing {

Process::Process(std::vector<std::string> argv, std::string log_path) : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    setpgid(0, 0);
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::perror("execv");
    _exit(127);
  }
}

Process::~Process() { Stop(); }

bool Process::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int Process::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string Process::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tikv-exporter-test-XXXXXX").string();
  path_ = mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  if (std::getenv("KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string file = path_ + "/" + name;
  std::ofstream(file) << content;
  return file;
}

namespace {

// Reads one series "name{a="x",b="y"}" from the start of a sample line, labels sorted, so that
// the same series written with its labels in another order compares equal.
std::string SeriesOf(std::string_view line) {
  const size_t name_end = line.find_first_of("{ ");
  std::string series(line.substr(0, name_end));
  if (name_end == std::string_view::npos || line[name_end] != '{') return series;
  std::vector<std::string> labels;
  std::string label;
  bool quoted = false;
  for (size_t i = name_end + 1; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '\\' && i + 1 < line.size()) {
      label += line.substr(i, 2);
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ',' || c == '}')) {
      if (!label.empty()) labels.push_back(label);
      label.clear();
      if (c == '}') break;
      continue;
    }
    label.push_back(c);
  }
  std::sort(labels.begin(), labels.end());
  series += '{';
  for (size_t i = 0; i < labels.size(); ++i) series += (i == 0 ? "" : ",") + labels[i];
  return series + '}';
}

// Every /metrics body a test reads is checked here, so no test can pass while the exporter
// exposes a series twice (Prometheus rejects such a scrape unless the values happen to match).
HttpResult CheckedScrape(const std::string& path, HttpResult result) {
  if (path.substr(0, path.find('?')) != "/metrics" || result.status != 200) return result;
  for (const auto& [name, value] : result.headers) {
    if (strcasecmp(name.c_str(), "Content-Encoding") == 0 && value != "identity") return result;
  }
  for (const std::string& series : DuplicateSeries(result.body)) {
    ADD_FAILURE() << "series exposed twice on /metrics: " << series;
  }
  return result;
}

HttpResult ToResult(const httplib::Result& result) {
  HttpResult out;
  if (!result) return out;
  out.status = result->status;
  out.body = result->body;
  for (const auto& [name, value] : result->headers) out.headers[name] = value;
  return out;
}

}  // namespace

std::vector<std::string> DuplicateSeries(const std::string& body) {
  std::set<std::string> seen;
  std::vector<std::string> duplicates;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::string series = SeriesOf(line);
    if (!seen.insert(series).second) duplicates.push_back(std::move(series));
  }
  return duplicates;
}

HttpResult HttpGet(int port, const std::string& path, const std::map<std::string, std::string>& headers) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  client.set_decompress(false);
  httplib::Headers request_headers;
  for (const auto& [name, value] : headers) request_headers.emplace(name, value);
  return CheckedScrape(path, ToResult(client.Get(path, request_headers)));
}

HttpResult HttpPost(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  return ToResult(client.Post(path));
}

HttpResult HttpsRequest(int port, const std::string& path, const std::string& ca_file, const std::string& user,
                        const std::string& password, bool post) {
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5, 0);
  if (!user.empty()) client.set_basic_auth(user.c_str(), password.c_str());
  return CheckedScrape(path, ToResult(post ? client.Post(path.c_str(), "", "text/plain") : client.Get(path.c_str())));
}

namespace {

// Binds a TCP socket to 127.0.0.1:`port` (0: any free port) and closes it again; the port that
// was bound, or -1 when it was taken.
int BindLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  int bound = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    socklen_t length = sizeof(address);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    bound = ntohs(address.sin_port);
  }
  close(fd);
  return bound;
}

// Ports handed to child processes come from below the kernel's ephemeral range: a port bound
// with 0 lies inside it, where any outgoing connection (a test's client, Prometheus' scrapes) may
// take it between our check and the child's bind — CI once saw "cannot listen" that way. Each
// port is also reserved across test processes (ctest -j) by an flock held until this one exits.
std::pair<int, int> EphemeralPorts() {
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  file >> low >> high;
  return {low, high};
}

// Read from /proc once: the range does not change while the tests run.
std::pair<int, int> TestPorts() {
  static const std::pair<int, int> kRange = [] {
    constexpr int kLowest = 10000, kEnough = 2000;
    const auto [low, high] = EphemeralPorts();
    return low - kLowest >= kEnough ? std::pair{kLowest, low - 1} : std::pair{high + 1, 65535};
  }();
  return kRange;
}

bool InTestPorts(int port) {
  const auto [low, high] = TestPorts();
  return port >= low && port <= high;
}

// True when no other test process (nor an earlier call here) holds `port`; the lock is kept.
bool Reserve(int port) {
  static std::mutex mutex;
  static std::vector<int> held;
  static const std::filesystem::path dir = [] {
    std::filesystem::path path = std::filesystem::temp_directory_path() / "tikv-exporter-test-ports";
    std::error_code ignored;
    std::filesystem::create_directories(path, ignored);
    return path;
  }();
  const int fd = open((dir / std::to_string(port)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return true;  // no lock directory: the bind check alone still applies
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  std::lock_guard lock(mutex);
  held.push_back(fd);
  return true;
}

bool Claim(int port) { return InTestPorts(port) && Reserve(port) && BindLoopback(port) == port; }

}  // namespace

int FreePort() {
  static std::mutex mutex;
  static std::mt19937 random(std::random_device{}());
  const auto [low, high] = TestPorts();
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int port;
    {
      std::lock_guard lock(mutex);
      port = std::uniform_int_distribution<int>(low, high)(random);
    }
    if (Claim(port)) return port;
  }
  return BindLoopback(0);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

std::optional<double> SampleValue(const std::string& body, const std::string& name,
                                  const std::map<std::string, std::string>& labels) {
  StatusOr<ParseResult> parsed = ParseExposition(body);
  if (!parsed.ok()) return std::nullopt;
  for (const ParsedFamily& family : parsed->exposition.families()) {
    for (const ParsedSample& sample : family.samples) {
      if (sample.name != name) continue;
      bool match = true;
      for (const auto& [label, value] : labels) match = match && sample.LabelValue(label) == value;
      if (match) return sample.value;
    }
  }
  return std::nullopt;
}

int FreePortWithPartner(int offset) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = FreePort();
    if (Claim(port + offset)) return port;
  }
  return 0;
}

std::string UrlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<double> PromQuery(int port, const std::string& promql) {
  HttpResult result = HttpGet(port, "/api/v1/query?query=" + UrlEncode(promql));
  std::smatch match;
  static const std::regex kValue(R"re("value":\[[0-9.]+,"([^"]+)"\])re");
  if (result.status != 200 || !std::regex_search(result.body, match, kValue)) return std::nullopt;
  return std::stod(match[1].str());
}

std::unique_ptr<Process> StartPrometheus(const TempDir& dir, int port, const std::string& config_yaml) {
  const std::string config = dir.Write("prometheus.yml", config_yaml);
  return std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + config,
                               "--storage.tsdb.path=" + dir.path() + "/tsdb",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"},
      dir.path() + "/prometheus.log");
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  output->clear();
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output->append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ProcessUsage UsageOf(int pid) {
  ProcessUsage usage;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(proc + "/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    ++usage.fds;
  }
  std::ifstream status(proc + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("Threads:")) usage.threads = std::stoi(line.substr(8));
    if (line.starts_with("VmRSS:")) usage.rss_kib = std::stol(line.substr(6));
    if (line.starts_with("VmHWM:")) usage.peak_rss_kib = std::stol(line.substr(6));
  }
  return usage;
}

double CollectorUp(const std::string& metrics, const std::string& collector) {
  return SampleValue(metrics, "tikv_exporter_collector_success", {{"collector", collector}}).value_or(-1);
}

double LimitHits(const std::string& metrics, const std::string& limit) {
  return SampleValue(metrics, "tikv_exporter_limit_hits_total", {{"limit", limit}}).value_or(0);
}

RawConnection::RawConnection(int port, int receive_buffer) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
}

RawConnection::~RawConnection() { close(fd_); }

bool RawConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string RawConnection::ReceiveUntilClosed(std::chrono::milliseconds timeout) {
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[16384];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return received;
    pollfd entry{fd_, POLLIN, 0};
    if (poll(&entry, 1, static_cast<int>(left.count())) <= 0) return received;
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return received;
    received.append(buffer, static_cast<size_t>(n));
  }
}

bool RawConnection::ClosedWithin(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[16384];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd entry{fd_, POLLIN, 0};
    if (poll(&entry, 1, 50) <= 0) continue;
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return true;
  }
  return false;
}

void RaiseFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace tikv_exporter::testing
