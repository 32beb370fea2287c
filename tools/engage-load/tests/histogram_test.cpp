// Unit tests of the load generator's log-linear histogram.
#include "histogram.h"

#include <gtest/gtest.h>

#include <random>

namespace engage::load {
namespace {

TEST(Histogram, IndexIsMonotonicAndBucketsContainTheirValues) {
  std::size_t last = 0;
  for (uint64_t v = 0; v < 200000; v += (v < 1000 ? 1 : 7)) {
    const std::size_t i = Histogram::index_of(v);
    EXPECT_GE(i, last);
    last = i;
    EXPECT_LE(Histogram::lowest_in(i), v);
    EXPECT_GE(Histogram::highest_in(i), v);
  }
  EXPECT_LT(Histogram::index_of(UINT64_MAX), Histogram::kBuckets);
  EXPECT_EQ(Histogram::highest_in(Histogram::index_of(UINT64_MAX)), UINT64_MAX);
}

TEST(Histogram, RelativeErrorBelowOnePercent) {
  for (uint64_t v : {300ull, 1000ull, 123456ull, 987654321ull, 5000000000ull}) {
    const std::size_t i = Histogram::index_of(v);
    const double width = static_cast<double>(Histogram::highest_in(i) - Histogram::lowest_in(i));
    EXPECT_LT(width / static_cast<double>(v), 0.01) << v;
  }
}

TEST(Histogram, PercentilesOfAUniformSample) {
  Histogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);  // 1 µs .. 100 ms
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 50e6, 50e6 * 0.01);
  EXPECT_NEAR(static_cast<double>(h.percentile(99)), 99e6, 99e6 * 0.01);
  EXPECT_EQ(h.percentile(100), 100000000u);
  EXPECT_EQ(h.max(), 100000000u);
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_NEAR(h.mean(), 50000.5 * 1000, 1);
}

TEST(Histogram, MergeAndSparseRoundTripAgree) {
  std::mt19937_64 rng(7);
  Histogram a, b, merged, shipped;
  for (int i = 0; i < 5000; ++i) a.record(rng() % 10000000);
  for (int i = 0; i < 3000; ++i) b.record(rng() % 90000000);
  merged.merge(a);
  merged.merge(b);
  shipped.add_sparse(a.sparse(), a.min(), a.max(), a.sum());
  shipped.add_sparse(b.sparse(), b.min(), b.max(), b.sum());
  EXPECT_EQ(merged.count(), 8000u);
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9})
    EXPECT_EQ(merged.percentile(p), shipped.percentile(p));
  EXPECT_EQ(merged.max(), shipped.max());
  EXPECT_EQ(merged.min(), shipped.min());
  merged.reset();
  EXPECT_EQ(merged.count(), 0u);
  EXPECT_EQ(merged.percentile(50), 0u);
}

}  // namespace
}  // namespace engage::load
