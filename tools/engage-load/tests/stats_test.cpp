// Unit tests of the load statistics: JSON round trip (how processes ship them) and merging.
#include "stats.h"

#include <gtest/gtest.h>

namespace engage::load {
namespace {

TEST(Stats, JsonRoundTripPreservesCountersErrorsAndPercentiles) {
  Stats a;
  a.c.moves_sent = 10;
  a.c.moves_acked = 9;
  a.add_error("error: Not your turn", 2);
  for (uint64_t v = 1; v <= 1000; ++v) a.move_rtt.record(v * 1000);
  auto text = a.to_json().dump();
  auto parsed = json::parse(text);
  ASSERT_TRUE(parsed);
  Stats b;
  b.add_json(*parsed);
  b.add_json(*parsed);
  EXPECT_EQ(b.c.moves_sent, 20u);
  EXPECT_EQ(b.c.moves_acked, 18u);
  EXPECT_EQ(b.c.errors, 4u);
  EXPECT_EQ(b.errors.at("error: Not your turn"), 4u);
  EXPECT_EQ(b.move_rtt.count(), 2000u);
  EXPECT_EQ(b.move_rtt.percentile(50), a.move_rtt.percentile(50));
  EXPECT_EQ(b.move_rtt.max(), 1000000u);
}

TEST(Stats, ErrorMessagesAreBounded) {
  Stats s;
  for (int i = 0; i < 1000; ++i) s.add_error("message " + std::to_string(i));
  EXPECT_LE(s.errors.size(), 201u);
  EXPECT_EQ(s.c.errors, 1000u);
  EXPECT_EQ(s.errors.at("(other errors)"), 800u);
}

TEST(Stats, SummaryIsInMilliseconds) {
  Histogram h;
  h.record(2'000'000);
  const json::Value v = summary_ms(h);
  EXPECT_EQ(v.find("count")->as_int(), 1);
  EXPECT_NEAR(v.find("p50")->as_double(), 2.0, 0.02);
  EXPECT_NEAR(v.find("max")->as_double(), 2.0, 1e-9);
}

}  // namespace
}  // namespace engage::load
