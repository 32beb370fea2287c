// Stats: merging, JSON serialisation and summaries of load counters and histograms.
#include "stats.h"

#include <cmath>
#include <utility>
#include <vector>

namespace engage::load {

namespace {

#define ENGAGE_LOAD_COUNTERS(X) \
  X(connects_ok)                \
  X(connects_failed)            \
  X(disconnects)                \
  X(games_started)              \
  X(games_finished)             \
  X(moves_sent) X(moves_acked) X(syncs_sent) X(syncs_received) X(syncs_missed) X(errors)

json::Value hist_json(const Histogram& h) {
  json::Value buckets = json::Value::array();
  for (const auto& [i, n] : h.sparse()) {
    buckets.push_back(
        json::Value(json::Array{json::Value(static_cast<uint64_t>(i)), json::Value(n)}));
  }
  json::Value out = json::Value::object();
  out.set("min", json::Value(h.min()));
  out.set("max", json::Value(h.max()));
  out.set("sum", json::Value(h.sum()));
  out.set("b", std::move(buckets));
  return out;
}

uint64_t as_u64(const json::Value* v) {
  if (!v || !v->is_number()) return 0;
  const auto i = v->as_int();
  return i && *i > 0 ? static_cast<uint64_t>(*i) : 0;
}

void add_hist_json(Histogram& h, const json::Value* v) {
  if (!v || !v->is_object()) return;
  const json::Value* b = v->find("b");
  if (!b || !b->is_array()) return;
  std::vector<std::pair<uint32_t, uint64_t>> buckets;
  for (const json::Value& e : b->as_array()) {
    if (!e.is_array() || e.size() != 2) continue;
    buckets.emplace_back(static_cast<uint32_t>(as_u64(&e.as_array()[0])), as_u64(&e.as_array()[1]));
  }
  h.add_sparse(buckets, as_u64(v->find("min")), as_u64(v->find("max")), as_u64(v->find("sum")));
}

}  // namespace

void Stats::add_error(std::string_view message, uint64_t n) {
  c.errors += n;
  auto it = errors.find(message);
  if (it == errors.end()) {
    if (errors.size() >= 200) message = "(other errors)";  // bounded: messages may vary
    it = errors.emplace(std::string(message), 0).first;
  }
  it->second += n;
}

void Stats::merge(const Stats& o) {
#define X(name) c.name += o.c.name;
  ENGAGE_LOAD_COUNTERS(X)
#undef X
  for (const auto& [m, n] : o.errors) errors[m] += n;
  move_rtt.merge(o.move_rtt);
  fanout.merge(o.fanout);
  fanout_last.merge(o.fanout_last);
  connect.merge(o.connect);
}

void Stats::reset() {
  c = Counters{};
  errors.clear();
  move_rtt.reset();
  fanout.reset();
  fanout_last.reset();
  connect.reset();
}

json::Value Stats::to_json() const {
  json::Value out = json::Value::object();
#define X(name) out.set(#name, json::Value(c.name));
  ENGAGE_LOAD_COUNTERS(X)
#undef X
  json::Value errs = json::Value::object();
  for (const auto& [m, n] : errors) errs.set(m, json::Value(n));
  out.set("error_messages", std::move(errs));
  out.set("move_rtt", hist_json(move_rtt));
  out.set("fanout", hist_json(fanout));
  out.set("fanout_last", hist_json(fanout_last));
  out.set("connect", hist_json(connect));
  return out;
}

void Stats::add_json(const json::Value& v) {
  if (!v.is_object()) return;
#define X(name) c.name += as_u64(v.find(#name));
  ENGAGE_LOAD_COUNTERS(X)
#undef X
  if (const json::Value* e = v.find("error_messages"); e && e->is_object()) {
    for (const auto& [m, n] : e->as_object()) errors[m] += as_u64(&n);
  }
  add_hist_json(move_rtt, v.find("move_rtt"));
  add_hist_json(fanout, v.find("fanout"));
  add_hist_json(fanout_last, v.find("fanout_last"));
  add_hist_json(connect, v.find("connect"));
}

double round_to(double v, int digits) {
  const double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

json::Value summary_ms(const Histogram& h) {
  auto ms = [](uint64_t ns) { return json::Value(round_to(static_cast<double>(ns) / 1e6, 3)); };
  json::Value out = json::Value::object();
  out.set("count", json::Value(h.count()));
  out.set("mean", json::Value(round_to(h.mean() / 1e6, 3)));
  out.set("p50", ms(h.percentile(50)));
  out.set("p90", ms(h.percentile(90)));
  out.set("p99", ms(h.percentile(99)));
  out.set("p999", ms(h.percentile(99.9)));
  out.set("max", ms(h.max()));
  return out;
}

}  // namespace engage::load
