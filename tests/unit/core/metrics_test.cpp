// Tests of the metrics registry: counters across threads, gauges, histograms, label bounds and
// the Prometheus text exposition (format, escaping, ordering).
#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace engage::metrics {
namespace {

// Returns the exposition lines that start with `prefix`.
std::vector<std::string> lines_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

TEST(Metrics, CounterSumsIncrementsFromManyThreads) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) c.inc();
    });
  for (auto& t : threads) t.join();
  c.inc(5);
  EXPECT_EQ(c.value(), 60005u);
}

TEST(Metrics, GaugeSetAddSub) {
  Gauge g;
  g.set(10);
  g.add(5);
  g.sub(7);
  EXPECT_EQ(g.value(), 8);
  g.sub(9);
  EXPECT_EQ(g.value(), -1);
}

TEST(Metrics, HistogramBucketsAreUpperBoundsInclusive) {
  Histogram h({0.1, 1, 10});
  h.observe(0.1);  // le="0.1" (bounds are inclusive, as Prometheus's le)
  h.observe(0.5);
  h.observe(1);
  h.observe(11);
  h.observe(1e9);
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.bucket(1), 2u);
  EXPECT_EQ(h.bucket(2), 0u);
  EXPECT_EQ(h.bucket(3), 2u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.1 + 0.5 + 1 + 11 + 1e9);
}

TEST(Metrics, FamilyReturnsTheSameSeriesForTheSameLabels) {
  Registry r;
  auto& f = r.counter("x_total", "x", {"a", "b"});
  Counter& c1 = f.with({"1", "2"});
  Counter& c2 = f.with(std::vector<std::string>{"1", "2"});
  Counter& c3 = f.with({"1", "3"});
  EXPECT_EQ(&c1, &c2);
  EXPECT_NE(&c1, &c3);
  // "a\x1fb" + "" must not collide with "a" + "b\x1f"-style joins of other values.
  Counter& c4 = f.with({"12", ""});
  EXPECT_NE(&c4, &c1);
  EXPECT_EQ(f.size(), 3u);
  EXPECT_EQ(&r.counter("x_total", "x", {"a", "b"}), &f);  // registering again returns it
}

TEST(Metrics, FamilyBeyondMaxSeriesFoldsTheLastLabelIntoOther) {
  Registry r;
  auto& f = r.counter("ev_total", "events", {"nsp", "event"}, 3);
  f.with({"/a", "one"}).inc();
  f.with({"/a", "two"}).inc();
  f.with({"/a", "three"}).inc();
  for (int i = 0; i < 1000; ++i) f.with({"/a", "junk" + std::to_string(i)}).inc();
  EXPECT_EQ(f.size(), 4u);  // the three plus {"/a","other"}
  EXPECT_EQ(f.with({"/a", "other"}).value(), 1000u);
  EXPECT_EQ(f.with({"/a", "one"}).value(), 1u);
}

TEST(Metrics, ExpositionHasHelpTypeAndSamples) {
  Registry r;
  r.counter("req_total", "Requests.", {"code"}).with({"200"}).inc(3);
  r.gauge("temp", "Temperature.").get().set(-4);
  auto text = r.expose();
  EXPECT_EQ(text,
            "# HELP req_total Requests.\n"
            "# TYPE req_total counter\n"
            "req_total{code=\"200\"} 3\n"
            "# HELP temp Temperature.\n"
            "# TYPE temp gauge\n"
            "temp -4\n");
}

TEST(Metrics, ExpositionEscapesLabelValuesAndHelp) {
  Registry r;
  r.counter("e_total", "line1\nback\\slash \"q\"", {"v"}).with({"a\"b\\c\nd"}).inc();
  auto text = r.expose();
  EXPECT_NE(text.find("# HELP e_total line1\\nback\\\\slash \"q\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("e_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, ExpositionOfHistogramIsCumulativeWithInf) {
  Registry r;
  auto& h = r.histogram("lat_seconds", "Latency.", {"op"}, {0.001, 0.01}).with({"get"});
  h.observe(0.0005);
  h.observe(0.005);
  h.observe(0.005);
  h.observe(3);
  auto text = r.expose();
  EXPECT_NE(text.find("# TYPE lat_seconds histogram\n"), std::string::npos);
  auto buckets = lines_with(text, "lat_seconds_bucket");
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0], "lat_seconds_bucket{op=\"get\",le=\"0.001\"} 1");
  EXPECT_EQ(buckets[1], "lat_seconds_bucket{op=\"get\",le=\"0.01\"} 3");
  EXPECT_EQ(buckets[2], "lat_seconds_bucket{op=\"get\",le=\"+Inf\"} 4");
  EXPECT_EQ(lines_with(text, "lat_seconds_count")[0], "lat_seconds_count{op=\"get\"} 4");
  EXPECT_EQ(lines_with(text, "lat_seconds_sum")[0], "lat_seconds_sum{op=\"get\"} 3.0105");
}

TEST(Metrics, CollectedFamiliesAreComputedAtScrapeTime) {
  Registry r;
  int calls = 0;
  r.collect("live", "Live value.", Type::Gauge, {"k"}, [&calls](std::vector<Sample>& out) {
    ++calls;
    out.push_back({{"x"}, static_cast<double>(calls)});
  });
  EXPECT_NE(r.expose().find("live{k=\"x\"} 1\n"), std::string::npos);
  EXPECT_NE(r.expose().find("live{k=\"x\"} 2\n"), std::string::npos);
  // A newer source replaces the older one.
  r.collect("live", "Live value.", Type::Gauge, {"k"}, [](std::vector<Sample>& out) {
    out.push_back({{"y"}, 7});
  });
  auto text = r.expose();
  EXPECT_NE(text.find("live{k=\"y\"} 7\n"), std::string::npos);
  EXPECT_EQ(text.find("live{k=\"x\"}"), std::string::npos);
}

TEST(Metrics, ValuesAreSpelledAsPrometheusExpects) {
  std::string s;
  append_value(s, 42);
  s += ' ';
  append_value(s, 0.25);
  s += ' ';
  append_value(s, std::numeric_limits<double>::infinity());
  s += ' ';
  append_value(s, -std::numeric_limits<double>::infinity());
  s += ' ';
  append_value(s, std::nan(""));
  s += ' ';
  append_value(s, 1e300);
  EXPECT_EQ(s, "42 0.25 +Inf -Inf NaN 1e+300");
}

TEST(Metrics, ProcessCollectorsReportPlausibleValues) {
  EXPECT_GT(process_rss_bytes(), 1024u * 1024u);  // a gtest binary holds > 1 MiB
  volatile double x = 0;
  for (int i = 0; i < 2000000; ++i) x = x + std::sqrt(static_cast<double>(i));
  EXPECT_GT(process_cpu_seconds(), 0.0);
  Registry r;
  register_process_collectors(r);
  auto text = r.expose();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_virtual_memory_bytes ", "process_open_fds ", "process_max_fds ",
                           "process_start_time_seconds "}) {
    auto l = lines_with(text, name);
    ASSERT_EQ(l.size(), 1u) << name;
    EXPECT_GT(std::stod(l[0].substr(std::string(name).size())), 0.0) << l[0];
  }
}

TEST(Metrics, OpsFamiliesAreInTheGlobalRegistry) {
  ops().moves.inc();
  ops().events_in.with({"/play-along", "make_move"}).inc(2);
  ops().store_latency.with({"get"}).observe(0.0002);
  auto text = Registry::global().expose();
  for (const char* fam :
       {"engage_connections", "engage_connects_total", "engage_disconnects_total",
        "engage_eio_upgrades_total", "engage_events_in_total", "engage_events_out_total",
        "engage_rooms", "engage_live_games", "engage_moves_total", "engage_errors_total",
        "engage_rate_limited_total", "engage_slow_consumer_disconnects_total",
        "engage_store_operation_seconds", "engage_store_up", "engage_store_reconnects_total",
        "engage_store_offline_queue_depth", "engage_ready"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + fam + " "), std::string::npos) << fam;
  }
  EXPECT_NE(text.find("engage_events_in_total{nsp=\"/play-along\",event=\"make_move\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("engage_connections{transport=\"websocket\"} 0\n"), std::string::npos);
  EXPECT_EQ(disconnect_reason_label("ping timeout"), "ping timeout");
  EXPECT_EQ(disconnect_reason_label("<script>"), "other");
}

}  // namespace
}  // namespace engage::metrics
