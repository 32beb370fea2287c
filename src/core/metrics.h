// Metrics: a small registry of counters, gauges and histograms with labels, cheap on the hot
// path (relaxed atomics in per-thread shards, no lock per increment; label lookup once, then a
// cached reference), exposed in the Prometheus text format 0.0.4; plus the process collectors
// and the named families every layer of engage reports into (ops()).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace engage::metrics {

inline constexpr std::size_t kShards = 8;

// Returns this thread's shard index (assigned round-robin the first time a thread asks).
std::size_t this_shard() noexcept;

// A monotonically increasing count. inc() is a relaxed add on this thread's own cache line.
class Counter {
 public:
  void inc(uint64_t n = 1) noexcept {
    cells_[this_shard()].v.fetch_add(n, std::memory_order_relaxed);
  }
  // Returns the sum over the shards (a consistent-enough snapshot for scraping).
  uint64_t value() const noexcept;

 private:
  struct alignas(64) Cell {
    std::atomic<uint64_t> v{0};
  };
  std::array<Cell, kShards> cells_{};
};

// A value that goes up and down (connections, rooms, queue depth).
class Gauge {
 public:
  void set(int64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
  void add(int64_t d = 1) noexcept { v_.fetch_add(d, std::memory_order_relaxed); }
  void sub(int64_t d = 1) noexcept { v_.fetch_sub(d, std::memory_order_relaxed); }
  int64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// A distribution over fixed bucket upper bounds (ascending; +Inf is implicit).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  // Records one observation (a linear scan over the bounds, then relaxed adds).
  void observe(double v) noexcept;
  const std::vector<double>& bounds() const { return bounds_; }
  // Returns the non-cumulative count of bucket i (i == bounds().size() is the +Inf bucket).
  uint64_t bucket(std::size_t i) const noexcept;
  uint64_t count() const noexcept;
  double sum() const noexcept;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// Bucket bounds in seconds from 50 µs to 5 s, for store and request latencies.
std::vector<double> latency_buckets();

enum class Type { Counter, Gauge, Histogram };

// One family: a metric name, its help text, its label names and one series per combination
// of label values. with() looks a series up (a shared lock; callers on a hot path keep the
// returned reference, which stays valid for the life of the registry). When max_series is
// reached, new combinations go to a series whose last label value is "other", so a client
// choosing label values (event names) cannot grow the registry without bound.
template <class T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::size_t max_series, std::function<std::unique_ptr<T>()> make);

  T& with(std::initializer_list<std::string_view> values);
  T& with(const std::vector<std::string>& values);
  // Returns the label-less series (families declared without labels).
  T& get() { return find_or_add(nullptr, 0); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  // Calls fn(label values, series) for every series in creation order (under the lock).
  void for_each(const std::function<void(const std::vector<std::string>&, const T&)>& fn) const;
  std::size_t size() const;

 private:
  T& find_or_add(const std::string_view* values, std::size_t n);

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct Series {
    std::vector<std::string> values;
    std::unique_ptr<T> metric;
  };
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::size_t max_series_;
  std::function<std::unique_ptr<T>()> make_;
  mutable std::shared_mutex mu_;
  std::vector<Series> series_;
  std::unordered_map<std::string, T*, Hash, std::equal_to<>> index_;  // joined values → series
};

// A family computed at scrape time: fn appends (label values, value) samples.
struct Sample {
  std::vector<std::string> values;
  double value = 0;
};
using CollectFn = std::function<void(std::vector<Sample>& out)>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers (or returns the already registered) family of that name. Registering one name
  // twice with another type or other labels is a programming error (asserted).
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> labels = {}, std::size_t max_series = 0);
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> labels = {}, std::size_t max_series = 0);
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<std::string> labels, std::vector<double> bounds,
                               std::size_t max_series = 0);
  // Registers a family whose samples fn computes when scraped (replacing an earlier one of the
  // same name: the newest source wins).
  void collect(const std::string& name, const std::string& help, Type type,
               std::vector<std::string> labels, CollectFn fn);

  // Returns every family in the Prometheus text exposition format (version 0.0.4), in
  // registration order.
  std::string expose() const;

  // The process-wide registry that ops() and /metrics use.
  static Registry& global();

 private:
  struct Entry;
  Entry* find(const std::string& name) const;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// Appends `v` escaped as a Prometheus label value (\\, \", \n).
void escape_label_value(std::string& out, std::string_view v);
// Appends `v` escaped as HELP text (\\, \n).
void escape_help(std::string& out, std::string_view v);
// Appends a sample value: integers without a fraction, +Inf/-Inf/NaN spelled as Prometheus does.
void append_value(std::string& out, double v);

// Reads the resident set size of this process in bytes (VmRSS of /proc/self/status); 0 if
// unknown.
uint64_t process_rss_bytes();
// Returns user + system CPU time of this process in seconds (getrusage).
double process_cpu_seconds();
// Registers process_resident_memory_bytes, process_virtual_memory_bytes,
// process_cpu_seconds_total, process_open_fds, process_max_fds, process_start_time_seconds.
void register_process_collectors(Registry& r);

// The families engage reports (names are the public monitoring interface; see
// docs/operations.md). Created in Registry::global() on first use.
struct Ops {
  Family<Gauge>& connections;           // engage_connections{transport}
  Family<Counter>& connects;            // engage_connects_total{nsp}
  Family<Counter>& disconnects;         // engage_disconnects_total{reason}
  Counter& upgrades;                    // engage_eio_upgrades_total
  Family<Counter>& events_in;           // engage_events_in_total{nsp,event}
  Family<Counter>& events_out;          // engage_events_out_total{nsp,event}
  Family<Gauge>& rooms;                 // engage_rooms{kind}
  Family<Gauge>& live_games;            // engage_live_games{kind}
  Counter& moves;                       // engage_moves_total
  Family<Counter>& errors;              // engage_errors_total{code}
  Family<Counter>& rate_limited;        // engage_rate_limited_total{action}
  Counter& slow_consumers;              // engage_slow_consumer_disconnects_total
  Family<Counter>& connection_refused;  // engage_connections_refused_total{reason}
  Family<Histogram>& store_latency;     // engage_store_operation_seconds{op}
  Gauge& store_up;                      // engage_store_up
  Counter& store_reconnects;            // engage_store_reconnects_total
  Gauge& store_queue_depth;             // engage_store_offline_queue_depth
  Gauge& ready;                         // engage_ready
};
Ops& ops();

// Returns `reason` if it is one of Socket.IO's disconnect reasons, else "other" (bounded labels).
std::string_view disconnect_reason_label(std::string_view reason);

}  // namespace engage::metrics
