// The server log: a stderr sink that writes text lines or JSON objects, shared by engage's own
// logger and spdlog's default logger (used by the store layer).
#include "app/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "core/clock.h"
#include "core/json.h"

namespace engage::app {

namespace {

constexpr std::string_view kOwnLogger = "engage";  // its payloads are complete JSON objects

// Returns `ms` since the epoch as 2026-01-01T00:00:00.000Z.
std::string iso_utc(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  const int frac = static_cast<int>(ms % 1000);
  out += '.';
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
  out += 'Z';
  return out;
}

std::string_view level_name(spdlog::level::level_enum lvl) {
  const auto name = spdlog::level::to_string_view(lvl);
  return {name.data(), name.size()};
}

// Writes each record as one line on stderr: the sink's pattern in text mode; in JSON mode
// engage's own records verbatim (Logger::log built the object) and any other logger's as
// {"time","level","msg","logger"}.
class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LineSink(bool json) : json_(json) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const std::string_view name(msg.logger_name.data(), msg.logger_name.size());
    if (!json_) {
      spdlog::memory_buf_t buf;
      formatter_->format(msg, buf);
      std::fwrite(buf.data(), 1, buf.size(), stderr);
      return;
    }
    std::string line;
    if (name == kOwnLogger) {
      line.assign(payload);
    } else {
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch())
              .count();
      line = "{\"time\":";
      json::write_string(line, iso_utc(ms));
      line += ",\"level\":";
      json::write_string(line, level_name(msg.level));
      line += ",\"msg\":";
      json::write_string(line, payload);
      if (!name.empty()) {
        line += ",\"logger\":";
        json::write_string(line, name);
      }
      line += '}';
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  bool json_;
};

}  // namespace

Logger::Logger(const std::string& level, const std::string& format) : json_(format == "json") {
  auto sink = std::make_shared<LineSink>(json_);
  sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  const auto lvl = spdlog::level::from_str(level);
  logger_ = std::make_shared<spdlog::logger>(std::string(kOwnLogger), sink);
  logger_->set_level(lvl);
  logger_->flush_on(spdlog::level::trace);
  // Every other spdlog user (the store's connection and cluster logs) shares the sink.
  auto fallback = std::make_shared<spdlog::logger>("store", sink);
  fallback->set_level(lvl);
  fallback->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(fallback));
}

void Logger::log(std::string_view level, std::string_view msg, std::string_view fields) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (!logger_->should_log(lvl)) return;
  std::string line;
  if (json_) {
    line = "{\"time\":";
    json::write_string(line, iso_utc(Clock::get().now_ms()));
    line += ",\"level\":";
    json::write_string(line, level_name(lvl));
    line += ",\"msg\":";
    json::write_string(line, msg);
    if (!fields.empty()) {
      line += ',';
      line += fields;
    }
    line += '}';
  } else {
    line = msg;
    if (!fields.empty()) {
      line += " {";
      line += fields;
      line += '}';
    }
  }
  logger_->log(lvl, "{}", line);
}

std::string detect_log_format(int argc, char** argv) {
  std::string format;
  if (const char* env = std::getenv("ENGAGE_LOG_FORMAT")) format = env;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--log-format" && i + 1 < argc)
      format = argv[++i];
    else if (a.starts_with("--log-format="))
      format = std::string(a.substr(13));
  }
  return format == "json" ? "json" : "text";
}

}  // namespace engage::app
