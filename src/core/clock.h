// Clock: the one source of time, injectable so that tests control it.
#pragma once

#include <chrono>
#include <cstdint>

namespace engage {

// Returns wall-clock milliseconds since the Unix epoch and a monotonic time. The default
// implementation reads the system clocks; tests install a ManualClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ms() const;                                // wall clock, ms since epoch
  virtual std::chrono::steady_clock::time_point steady() const;  // monotonic

  // Returns the process-wide clock (the system clock unless a test installed another).
  static const Clock& get();
  // Installs `c` as the process-wide clock (tests only; not thread-safe against readers).
  static void install(const Clock* c);
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : ms_(start_ms) {}
  int64_t now_ms() const override { return ms_; }
  std::chrono::steady_clock::time_point steady() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(ms_));
  }
  void advance_ms(int64_t d) { ms_ += d; }

 private:
  int64_t ms_;
};

}  // namespace engage
