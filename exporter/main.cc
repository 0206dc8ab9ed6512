// tikv-exporter: a Prometheus exporter that runs beside a TiKV node.

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "exporter/app.h"
#include "exporter/config.h"
#include "exporter/logging.h"
#include "exporter/version.h"

namespace {

constexpr const char* kDefaultConfigPath = "config/tikv-exporter.toml";

constexpr const char* kUsage = R"(usage: tikv-exporter [flags]
  --config PATH                 TOML config (default config/tikv-exporter.toml; built-in
                                defaults when that file does not exist)
  --web.listen-address ADDR     overrides [exporter] listen_address
  --log.level LEVEL             trace|debug|info|warn|error
  --log.format FORMAT           text|json
  --check-config                validate the config and exit 0 (valid) or 1
  --version                     print the version and exit
  --help                        print this text
)";

struct Flags {
  std::map<std::string, std::string> values;  // flag -> value
  bool check_config = false;
  bool version = false;
  bool help = false;
};

// Accepts "--flag value" and "--flag=value"; returns false with a message on a bad flag.
bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error) {
  const char* kWithValue[] = {"--config", "--web.listen-address", "--log.level", "--log.format"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--check-config") {
      flags->check_config = true;
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

}  // namespace

int main(int argc, char** argv) {
  using namespace tikv_exporter;
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

  ExporterConfig config;
  auto path = flags.values.find("--config");
  const bool explicit_path = path != flags.values.end();
  const std::string config_path = explicit_path ? path->second : kDefaultConfigPath;
  if (explicit_path || std::filesystem::exists(config_path)) {
    StatusOr<ExporterConfig> loaded = LoadConfig(config_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "tikv-exporter: invalid config: %s\n", loaded.status().message().c_str());
      return 1;
    }
    config = std::move(*loaded);
  }
  if (auto it = flags.values.find("--web.listen-address"); it != flags.values.end()) {
    config.listen_address = it->second;
  }
  if (auto it = flags.values.find("--log.level"); it != flags.values.end()) config.log_level = it->second;
  if (auto it = flags.values.find("--log.format"); it != flags.values.end()) config.log_format = it->second;
  if (Status status = ValidateConfig(config); !status.ok()) {
    std::fprintf(stderr, "tikv-exporter: invalid config: %s\n", status.message().c_str());
    return 1;
  }
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
  }
  return RunExporter(config);
}
