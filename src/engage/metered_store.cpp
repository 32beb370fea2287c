// MeteredStore: latency per operation and up/down.
#include "engage/metered_store.h"

#include <chrono>

#include "core/metrics.h"

namespace engage::engage {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Returns the histogram series of `op` (looked up once per operation name).
metrics::Histogram& series(std::string_view op) {
  return metrics::ops().store_latency.with({op});
}

// Records the time since `start` into `h` and whether the store answered.
void record(metrics::Histogram& h, SteadyClock::time_point start, store::Errc e) {
  h.observe(std::chrono::duration<double>(SteadyClock::now() - start).count());
  if (e == store::Errc::Unavailable || e == store::Errc::Timeout) metrics::ops().store_up.set(0);
}

// Returns cb wrapped so that its call records the latency of `op` since now.
template <class Fn>
Fn timed(metrics::Histogram& h, Fn cb) {
  return [cb = std::move(cb), &h, start = SteadyClock::now()](store::Errc e, auto&&... rest) {
    record(h, start, e);
    cb(e, std::forward<decltype(rest)>(rest)...);
  };
}

}  // namespace

void MeteredStore::get(std::string key, store::DocFn cb) {
  static metrics::Histogram& h = series("get");
  inner_.get(std::move(key), timed(h, std::move(cb)));
}
void MeteredStore::create(std::string key, store::Doc doc, int ttl_s, store::DoneFn cb) {
  static metrics::Histogram& h = series("create");
  inner_.create(std::move(key), std::move(doc), ttl_s, timed(h, std::move(cb)));
}
void MeteredStore::cas(std::string key, uint64_t expected, store::Doc doc, int ttl_s,
                       std::vector<std::string> also_touch, store::DoneFn cb) {
  static metrics::Histogram& h = series("cas");
  inner_.cas(std::move(key), expected, std::move(doc), ttl_s, std::move(also_touch),
             timed(h, std::move(cb)));
}
void MeteredStore::remove(std::string key, uint64_t expected, std::vector<std::string> also_delete,
                          store::DoneFn cb) {
  static metrics::Histogram& h = series("remove");
  inner_.remove(std::move(key), expected, std::move(also_delete), timed(h, std::move(cb)));
}
void MeteredStore::claim(std::string key, std::string value, int ttl_s, store::DoneFn cb) {
  static metrics::Histogram& h = series("claim");
  inner_.claim(std::move(key), std::move(value), ttl_s, timed(h, std::move(cb)));
}
void MeteredStore::get_string(std::string key, store::StringFn cb) {
  static metrics::Histogram& h = series("get_string");
  inner_.get_string(std::move(key), timed(h, std::move(cb)));
}
void MeteredStore::touch(std::vector<std::string> keys, int ttl_s, store::DoneFn cb) {
  static metrics::Histogram& h = series("touch");
  inner_.touch(std::move(keys), ttl_s, timed(h, std::move(cb)));
}
void MeteredStore::del(std::vector<std::string> keys, store::DoneFn cb) {
  static metrics::Histogram& h = series("del");
  inner_.del(std::move(keys), timed(h, std::move(cb)));
}
void MeteredStore::incr_window(std::string key, int64_t window_ms, store::CountFn cb) {
  static metrics::Histogram& h = series("incr_window");
  inner_.incr_window(std::move(key), window_ms, timed(h, std::move(cb)));
}

store::State MeteredStore::state() const {
  store::State s = inner_.state();
  metrics::ops().store_up.set(s == store::State::Up ? 1 : 0);
  return s;
}

}  // namespace engage::engage
