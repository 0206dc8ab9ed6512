#include "exporter/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "common/utf8.h"

namespace tikv_exporter {
namespace {

// %*: the message as a JSON string body (quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced with U+FFFD).
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    // A message may quote upstream bytes (a header, a body); a JSON log line must stay UTF-8.
    std::string repaired;
    for (char c : ValidUtf8View(std::string_view(msg.payload.data(), msg.payload.size()), &repaired)) {
      switch (c) {
        case '"':
          dest.append(std::string_view("\\\""));
          break;
        case '\\':
          dest.append(std::string_view("\\\\"));
          break;
        case '\n':
          dest.append(std::string_view("\\n"));
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            const char escaped[] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
            dest.append(escaped, escaped + sizeof(escaped));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

}  // namespace

Status ConfigureLogging(const std::string& level, LogFormat format) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("unknown log level \"" + level + "\"");
  }
  // One logger for the process' life: a reload only changes its level and formatter, both of
  // which spdlog 1.10 swaps under the sink's mutex (the level is atomic). Replacing the default
  // logger instead freed it under threads still logging through it (SIGSEGV in a reload storm).
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto created = std::make_shared<spdlog::logger>("tikv-exporter",
                                                     std::make_shared<spdlog::sinks::stderr_sink_mt>());
    created->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(created);
    return created;
  }();
  if (format == LogFormat::kJson) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  }
  logger->set_level(parsed);
  return Status::Ok();
}

}  // namespace tikv_exporter
