// tikv-exporter: a Prometheus exporter that runs beside a TiKV node.

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "exporter/app.h"
#include "server/basic_auth.h"
#include "exporter/config.h"
#include "exporter/logging.h"
#include "exporter/process_setup.h"
#include "server/http_server.h"
#include "exporter/version.h"
#include "exporter/web_config_file.h"

namespace {

constexpr const char* kDefaultConfigPath = "config/tikv-exporter.toml";

constexpr const char* kUsage = R"(usage: tikv-exporter [flags]
  --config PATH                 TOML config (default config/tikv-exporter.toml; built-in
                                defaults when that file does not exist)
  --web.listen-address ADDR     overrides [exporter] listen_address
  --web.config.file PATH        exporter-toolkit web config (YAML: tls_server_config,
                                basic_auth_users, http_server_config.headers) instead of
                                the TOML [web] table (both at once are refused); re-read
                                on every reload
  --log.level LEVEL             trace|debug|info|warn|error
  --log.format FORMAT           text|json
  --check-config                validate the config and exit 0 (valid) or 1
  --hash-password               read a password from stdin, print its bcrypt hash for
                                [web.basic_auth_users] and exit
  --version                     print the version and exit
  --help                        print this text
)";

struct Flags {
  std::map<std::string, std::string> values;  // flag -> value
  bool check_config = false;
  bool hash_password = false;
  bool version = false;
  bool help = false;
};

// Accepts "--flag value" and "--flag=value"; returns false with a message on a bad flag.
bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error) {
  const char* kWithValue[] = {"--config", "--web.listen-address", "--web.config.file", "--log.level",
                              "--log.format"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--check-config") {
      flags->check_config = true;
      continue;
    }
    if (arg == "--hash-password") {
      flags->hash_password = true;
      continue;
    }
    if (arg == "--version") {
      flags->version = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      flags->help = true;
      continue;
    }
    std::string name = arg.substr(0, arg.find('='));
    bool known = false;
    for (const char* candidate : kWithValue) known = known || name == candidate;
    if (!known) {
      *error = "unknown flag " + arg;
      return false;
    }
    if (name.size() < arg.size()) {
      flags->values[name] = arg.substr(name.size() + 1);
    } else if (i + 1 < argc) {
      flags->values[name] = argv[++i];
    } else {
      *error = "flag " + name + " needs a value";
      return false;
    }
  }
  return true;
}

// --hash-password: one line from stdin (no echo needed: pipe it or type it).
int HashPasswordFromStdin() {
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::fprintf(stderr, "tikv-exporter: --hash-password reads a non-empty password from stdin\n");
    return 2;
  }
  tikv_exporter::StatusOr<std::string> hash = tikv_exporter::BcryptHash(password, 10);
  if (!hash.ok()) {
    std::fprintf(stderr, "tikv-exporter: %s\n", hash.status().message().c_str());
    return 1;
  }
  std::printf("%s\n", hash->c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tikv_exporter;
  // First, before any thread or file: fds 0-2, SIGPIPE and the open-file limit.
  const ProcessSetup setup = PrepareProcess();
  // glibc gives threads up to 8 malloc arenas per core; each poll's collector threads would
  // spread their buffers over them and RSS would settle far above what is in use. Two are
  // plenty for a sidecar that must stay small.
  mallopt(M_ARENA_MAX, 2);
  // Bodies and parsed scrapes are megabytes each poll. A fixed mmap threshold sends every large
  // buffer to mmap and back to the system when freed (glibc would otherwise raise the threshold
  // and keep them in the heap, where they fragment it).
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // Setting the mmap threshold also fixes the trim threshold at its 128 KiB default: every
  // poll's buffers of a few hundred KiB (a parse's per-sample scratch) were handed back at the
  // top of the heap and faulted in again by the next poll. The poller hands back what is left
  // free beyond 16 MiB (exporter/poller.cc).
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) {
    std::fprintf(stderr, "tikv-exporter: %s\n%s", error.c_str(), kUsage);
    return 2;
  }
  if (flags.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags.version) {
    std::printf("tikv-exporter %s (revision %s)\n", kVersion, kRevision);
    return 0;
  }

  if (flags.hash_password) return HashPasswordFromStdin();

  auto path = flags.values.find("--config");
  const bool explicit_path = path != flags.values.end();
  const std::string config_path = explicit_path ? path->second : kDefaultConfigPath;
  const bool use_file = explicit_path || std::filesystem::exists(config_path);
  // The same steps at start and on every reload: the file, then the flags on top.
  ConfigLoader load = [&flags, config_path, use_file]() -> StatusOr<ExporterConfig> {
    ExporterConfig config;
    if (use_file) {
      StatusOr<ExporterConfig> loaded = LoadConfig(config_path);
      if (!loaded.ok()) return loaded.status();
      config = std::move(*loaded);
    }
    if (auto it = flags.values.find("--web.listen-address"); it != flags.values.end()) {
      config.listen_address = it->second;
    }
    if (auto it = flags.values.find("--web.config.file"); it != flags.values.end()) {
      if (Status web = LoadWebConfigFile(it->second, &config); !web.ok()) return web;
    }
    if (auto it = flags.values.find("--log.level"); it != flags.values.end()) config.log_level = it->second;
    if (auto it = flags.values.find("--log.format"); it != flags.values.end()) {
      std::optional<LogFormat> format = ParseEnum(kLogFormatNames, it->second);
      if (!format) {
        return Status::InvalidArgument("--log.format \"" + it->second + "\" is not one of " + EnumNames(kLogFormatNames));
      }
      config.log_format = *format;
    }
    if (Status status = ValidateConfig(config); !status.ok()) return status;
    return config;
  };
  StatusOr<ExporterConfig> loaded = load();
  if (!loaded.ok()) {
    std::fprintf(stderr, "tikv-exporter: invalid config: %s\n", loaded.status().message().c_str());
    return 1;
  }
  const ExporterConfig& config = *loaded;
  if (flags.check_config) {
    std::printf("config OK: %s\n", config.source_path.empty() ? "(built-in defaults)"
                                                              : config.source_path.c_str());
    return 0;
  }
  if (Status status = ConfigureLogging(config.log_level, config.log_format); !status.ok()) {
    std::fprintf(stderr, "tikv-exporter: %s\n", status.message().c_str());
    return 1;
  }
  if (config.source_path.empty()) {
    spdlog::info("no config file at {}: using built-in defaults", kDefaultConfigPath);
  } else if (config.empty_file) {
    spdlog::warn("{} holds no settings (empty or only comments): using built-in defaults; a reload refuses such a file",
                 config.source_path);
  }
  for (int fd : setup.reopened_fds) spdlog::warn("file descriptor {} was closed at start; it is now /dev/null", fd);
  if (!setup.fd_limit_error.empty()) spdlog::warn("{}", setup.fd_limit_error);
  if (setup.fd_limit != setup.previous_fd_limit) {
    spdlog::info("open-file limit raised from {} to {} (the hard limit)", setup.previous_fd_limit, setup.fd_limit);
  }
  if (setup.fd_limit > 0) {
    if (Status budget = CheckDescriptorBudget(config, HttpServerOptions{}.max_connections, setup.fd_limit);
        !budget.ok()) {
      spdlog::error("{}", budget.message());
      return 1;
    }
  }
  // A reload re-reads whichever files there are: the TOML config, the web config file, or both.
  const bool reloadable = use_file || flags.values.count("--web.config.file") > 0;
  return RunExporter(config, reloadable ? load : ConfigLoader());
}
