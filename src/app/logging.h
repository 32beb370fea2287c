// The server log: one spdlog sink on stderr in text or JSON, installed as spdlog's default
// logger so that every layer (the Redis store's spdlog::warn too) writes in the same format.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace engage::app {

class Logger {
 public:
  // Creates the sink and makes it spdlog's default logger. `level` is trace|debug|info|warn|
  // error|off, `format` text|json (anything else = text).
  Logger(const std::string& level, const std::string& format);

  // Logs `msg` at `level`; `fields` are extra JSON members ("\"k\":1,\"j\":\"x\"") that the
  // JSON format adds to the object and the text format appends as {...}. Thread-safe. Never
  // given tokens, headers or message payloads (callers log events, not traffic).
  void log(std::string_view level, std::string_view msg, std::string_view fields = {});

 private:
  bool json_;
  std::shared_ptr<spdlog::logger> logger_;
};

// Returns "json" when the environment (ENGAGE_LOG_FORMAT) or argv (--log-format json,
// --log-format=json; argv wins) asks for JSON logs, else "text". For errors reported before the
// options are parsed.
std::string detect_log_format(int argc, char** argv);

}  // namespace engage::app
