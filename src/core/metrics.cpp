// Metrics registry, Prometheus text exposition and the process collectors.
#include "core/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cassert>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <variant>

namespace engage::metrics {

std::size_t this_shard() noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

uint64_t Counter::value() const noexcept {
  uint64_t sum = 0;
  for (const auto& c : cells_) sum += c.v.load(std::memory_order_relaxed);
  return sum;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i) assert(bounds_[i - 1] < bounds_[i]);
}

void Histogram::observe(double v) noexcept {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::bucket(std::size_t i) const noexcept {
  return i <= bounds_.size() ? buckets_[i].load(std::memory_order_relaxed) : 0;
}

uint64_t Histogram::count() const noexcept {
  uint64_t n = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) n += bucket(i);
  return n;
}

double Histogram::sum() const noexcept {
  return sum_.load(std::memory_order_relaxed);
}

std::vector<double> latency_buckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,   5};
}

// ---- Family ---------------------------------------------------------------------------------

namespace {

// Joins label values with a separator no label value can hold unescaped ('\x1f').
void join_key(std::string& key, const std::string_view* values, std::size_t n) {
  key.clear();
  for (std::size_t i = 0; i < n; ++i) {
    if (i) key += '\x1f';
    key.append(values[i]);
  }
}

}  // namespace

template <class T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> labels,
                  std::size_t max_series, std::function<std::unique_ptr<T>()> make)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)),
      max_series_(max_series),
      make_(std::move(make)) {
  if (labels_.empty()) find_or_add(nullptr, 0);  // the single series exists from the start
}

template <class T>
T& Family<T>::with(std::initializer_list<std::string_view> values) {
  return find_or_add(values.begin(), values.size());
}

template <class T>
T& Family<T>::with(const std::vector<std::string>& values) {
  std::vector<std::string_view> views(values.begin(), values.end());
  return find_or_add(views.data(), views.size());
}

template <class T>
T& Family<T>::find_or_add(const std::string_view* values, std::size_t n) {
  assert(n == labels_.size());
  if (n != labels_.size()) n = std::min(n, labels_.size());  // release: missing values are ""
  thread_local std::string key;
  join_key(key, values, n);
  {
    std::shared_lock lock(mu_);
    auto it = index_.find(std::string_view(key));
    if (it != index_.end()) return *it->second;
  }
  std::vector<std::string> vals(values, values + n);
  vals.resize(labels_.size());
  std::unique_lock lock(mu_);
  if (auto it = index_.find(std::string_view(key)); it != index_.end()) return *it->second;
  if (max_series_ && series_.size() >= max_series_ && !vals.empty()) {
    vals.back() = "other";
    std::vector<std::string_view> views(vals.begin(), vals.end());
    join_key(key, views.data(), views.size());
    if (auto it = index_.find(std::string_view(key)); it != index_.end()) return *it->second;
  }
  series_.push_back(Series{std::move(vals), make_()});
  T* metric = series_.back().metric.get();
  index_.emplace(key, metric);
  return *metric;
}

template <class T>
void Family<T>::for_each(
    const std::function<void(const std::vector<std::string>&, const T&)>& fn) const {
  std::shared_lock lock(mu_);
  for (const auto& s : series_) fn(s.values, *s.metric);
}

template <class T>
std::size_t Family<T>::size() const {
  std::shared_lock lock(mu_);
  return series_.size();
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- Registry -------------------------------------------------------------------------------

struct Registry::Entry {
  std::string name, help;
  Type type;
  std::vector<std::string> labels;
  std::unique_ptr<Family<Counter>> counter;
  std::unique_ptr<Family<Gauge>> gauge;
  std::unique_ptr<Family<Histogram>> histogram;
  CollectFn collect;  // guarded by Registry::mu_
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry* Registry::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e->name == name) return e.get();
  return nullptr;
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labels, std::size_t max_series) {
  std::lock_guard lock(mu_);
  if (Entry* e = find(name)) {
    assert(e->counter && e->labels == labels);
    return *e->counter;
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = Type::Counter;
  e->labels = labels;
  e->counter = std::make_unique<Family<Counter>>(name, help, std::move(labels), max_series,
                                                 [] { return std::make_unique<Counter>(); });
  entries_.push_back(std::move(e));
  return *entries_.back()->counter;
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> labels, std::size_t max_series) {
  std::lock_guard lock(mu_);
  if (Entry* e = find(name)) {
    assert(e->gauge && e->labels == labels);
    return *e->gauge;
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = Type::Gauge;
  e->labels = labels;
  e->gauge = std::make_unique<Family<Gauge>>(name, help, std::move(labels), max_series,
                                             [] { return std::make_unique<Gauge>(); });
  entries_.push_back(std::move(e));
  return *entries_.back()->gauge;
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels, std::vector<double> bounds,
                                       std::size_t max_series) {
  std::lock_guard lock(mu_);
  if (Entry* e = find(name)) {
    assert(e->histogram && e->labels == labels);
    return *e->histogram;
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = Type::Histogram;
  e->labels = labels;
  e->histogram = std::make_unique<Family<Histogram>>(
      name, help, std::move(labels), max_series,
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
  entries_.push_back(std::move(e));
  return *entries_.back()->histogram;
}

void Registry::collect(const std::string& name, const std::string& help, Type type,
                       std::vector<std::string> labels, CollectFn fn) {
  std::lock_guard lock(mu_);
  if (Entry* e = find(name)) {
    assert(e->collect && e->type == type);
    e->collect = std::move(fn);
    return;
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = type;
  e->labels = std::move(labels);
  e->collect = std::move(fn);
  entries_.push_back(std::move(e));
}

// ---- exposition -----------------------------------------------------------------------------

void escape_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

void escape_help(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    out.append(buf, r.ptr);
    return;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

namespace {

const char* type_name(Type t) {
  switch (t) {
    case Type::Counter:
      return "counter";
    case Type::Gauge:
      return "gauge";
    case Type::Histogram:
      return "histogram";
  }
  return "untyped";
}

// Appends `{a="x",b="y"}` (plus an extra label, e.g. le) or nothing when there are none.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    escape_label_value(out, i < values.size() ? std::string_view(values[i]) : "");
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, double v) {
  out += name;
  append_labels(out, names, values);
  out += ' ';
  append_value(out, v);
  out += '\n';
}

}  // namespace

std::string Registry::expose() const {
  std::vector<Entry*> entries;
  std::vector<CollectFn> collects;
  {
    std::lock_guard lock(mu_);
    for (const auto& e : entries_) {
      entries.push_back(e.get());
      collects.push_back(e->collect);
    }
  }
  std::string out;
  out.reserve(4096);
  std::vector<Sample> samples;
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const Entry& e = *entries[k];
    out += "# HELP ";
    out += e.name;
    out += ' ';
    escape_help(out, e.help);
    out += "\n# TYPE ";
    out += e.name;
    out += ' ';
    out += type_name(e.type);
    out += '\n';
    if (collects[k]) {
      samples.clear();
      collects[k](samples);
      for (const auto& s : samples) append_sample(out, e.name, e.labels, s.values, s.value);
    } else if (e.counter) {
      e.counter->for_each([&](const std::vector<std::string>& v, const Counter& c) {
        append_sample(out, e.name, e.labels, v, static_cast<double>(c.value()));
      });
    } else if (e.gauge) {
      e.gauge->for_each([&](const std::vector<std::string>& v, const Gauge& g) {
        append_sample(out, e.name, e.labels, v, static_cast<double>(g.value()));
      });
    } else if (e.histogram) {
      e.histogram->for_each([&](const std::vector<std::string>& v, const Histogram& h) {
        uint64_t cumulative = 0;
        std::string le;
        for (std::size_t i = 0; i <= h.bounds().size(); ++i) {
          cumulative += h.bucket(i);
          le.clear();
          if (i < h.bounds().size())
            append_value(le, h.bounds()[i]);
          else
            le = "+Inf";
          out += e.name;
          out += "_bucket";
          append_labels(out, e.labels, v, "le", le);
          out += ' ';
          append_value(out, static_cast<double>(cumulative));
          out += '\n';
        }
        append_sample(out, e.name + "_sum", e.labels, v, h.sum());
        append_sample(out, e.name + "_count", e.labels, v, static_cast<double>(cumulative));
      });
    }
  }
  return out;
}

Registry& Registry::global() {
  static Registry* r = new Registry();  // never destroyed: loops may report during exit
  return *r;
}

// ---- process collectors ---------------------------------------------------------------------

namespace {

// Returns the value in kB of a "Key:   123 kB" line of /proc/self/status, in bytes.
uint64_t status_kb(const char* key) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  uint64_t bytes = 0;
  const std::size_t klen = std::strlen(key);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, key, klen) == 0 && line[klen] == ':') {
      unsigned long long kb = 0;
      if (std::sscanf(line + klen + 1, "%llu", &kb) == 1) bytes = kb * 1024;
      break;
    }
  }
  std::fclose(f);
  return bytes;
}

std::size_t open_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  std::size_t n = 0;
  while (dirent* ent = readdir(d))
    if (ent->d_name[0] != '.') ++n;
  closedir(d);
  return n > 0 ? n - 1 : 0;  // minus the directory stream's own descriptor
}

}  // namespace

uint64_t process_rss_bytes() {
  return status_kb("VmRSS");
}

double process_cpu_seconds() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

void register_process_collectors(Registry& r) {
  static const double start_s =
      static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()) /
      1000.0;
  r.collect("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
            Type::Counter, {}, [](std::vector<Sample>& out) {
              out.push_back({{}, process_cpu_seconds()});
            });
  r.collect("process_resident_memory_bytes", "Resident memory size in bytes.", Type::Gauge, {},
            [](std::vector<Sample>& out) {
              out.push_back({{}, static_cast<double>(process_rss_bytes())});
            });
  r.collect("process_virtual_memory_bytes", "Virtual memory size in bytes.", Type::Gauge, {},
            [](std::vector<Sample>& out) {
              out.push_back({{}, static_cast<double>(status_kb("VmSize"))});
            });
  r.collect("process_open_fds", "Number of open file descriptors.", Type::Gauge, {},
            [](std::vector<Sample>& out) {
              out.push_back({{}, static_cast<double>(open_fds())});
            });
  r.collect("process_max_fds", "Maximum number of open file descriptors.", Type::Gauge, {},
            [](std::vector<Sample>& out) {
              rlimit rl{};
              double v = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? static_cast<double>(rl.rlim_cur) : 0;
              out.push_back({{}, v});
            });
  r.collect("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
            Type::Gauge, {}, [](std::vector<Sample>& out) {
              out.push_back({{}, start_s});
            });
}

// ---- the families engage reports --------------------------------------------------------------

namespace {

Ops* make_ops() {
  Registry& r = Registry::global();
  auto* o = new Ops{
      r.gauge("engage_connections", "Open Engine.IO connections by transport.", {"transport"}),
      r.counter("engage_connects_total", "Socket.IO namespace connections accepted.", {"nsp"}, 32),
      r.counter("engage_disconnects_total", "Socket.IO namespace disconnections by reason.",
                {"reason"}, 32),
      r.counter("engage_eio_upgrades_total",
                "Engine.IO transport upgrades (polling to websocket) completed.")
          .get(),
      r.counter("engage_events_in_total", "Socket.IO events received, by namespace and name.",
                {"nsp", "event"}, 128),
      r.counter("engage_events_out_total", "Socket.IO events emitted, by namespace and name.",
                {"nsp", "event"}, 128),
      r.gauge("engage_rooms", "Rooms with members on this instance, by kind.", {"kind"}),
      r.gauge("engage_live_games", "Rooms with a game or playback in progress, by kind.", {"kind"}),
      r.counter("engage_moves_total", "Chess moves applied.").get(),
      r.counter("engage_errors_total", "Errors sent to clients, by code.", {"code"}, 64),
      r.counter("engage_rate_limited_total", "Actions rejected by a rate limit, by limit.",
                {"limit"}, 32),
      r.counter("engage_slow_consumer_disconnects_total",
                "WebSocket clients disconnected because they did not read their output.")
          .get(),
      r.counter("engage_connections_refused_total", "Connections or handshakes refused, by reason.",
                {"reason"}, 32),
      r.histogram("engage_store_operation_seconds", "Store operation latency in seconds.", {"op"},
                  latency_buckets(), 32),
      r.gauge("engage_store_up", "1 when the store answers, 0 when it is unavailable.").get(),
      r.counter("engage_store_reconnects_total", "Store (Redis) reconnections.").get(),
      r.gauge("engage_store_offline_queue_depth",
              "Store commands queued while the store is reconnecting.")
          .get(),
      r.gauge("engage_ready", "1 when this instance accepts traffic (GET /ready is 200).").get(),
  };
  for (const char* t : {"polling", "websocket"}) o->connections.with({t});
  o->store_up.set(1);
  return o;
}

}  // namespace

Ops& ops() {
  static Ops* o = make_ops();
  return *o;
}

std::string_view disconnect_reason_label(std::string_view reason) {
  static constexpr std::string_view kKnown[] = {"transport close",
                                                "ping timeout",
                                                "client namespace disconnect",
                                                "server namespace disconnect",
                                                "transport error",
                                                "parse error",
                                                "server shutting down",
                                                "forced close",
                                                "forced server close"};
  for (auto k : kKnown)
    if (k == reason) return k;
  return "other";
}

}  // namespace engage::metrics
