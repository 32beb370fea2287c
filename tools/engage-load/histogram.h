// Histogram: an HDR-style log-linear latency histogram (≈0.8 % precision, 1 ns .. 2^63 ns).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace engage::load {

class Histogram {
 public:
  // 128 sub-buckets per power of two above 256: relative error ≤ 1/128.
  static constexpr int kSubBits = 8;
  static constexpr std::size_t kHalf = std::size_t{1} << (kSubBits - 1);
  static constexpr std::size_t kBuckets = kHalf * (64 - kSubBits + 1) + kHalf;

  // Returns the bucket index of a value (monotonic in the value).
  static std::size_t index_of(uint64_t v);
  // Returns the largest value that falls in bucket `i` (what percentiles report).
  static uint64_t highest_in(std::size_t i);
  // Returns the smallest value that falls in bucket `i`.
  static uint64_t lowest_in(std::size_t i);

  Histogram();
  // Records one value (nanoseconds by convention).
  void record(uint64_t v);
  // Adds every count of `other` into this histogram.
  void merge(const Histogram& other);
  // Empties the histogram.
  void reset();

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
  }
  // Returns the value at percentile p (0..100): the highest value of the bucket holding the
  // p-th percentile record, capped by the exact maximum; 0 when empty.
  uint64_t percentile(double p) const;

  // Returns the non-empty buckets as (index, count) pairs, plus exact min/max/sum via the
  // accessors; add_sparse() is its inverse (used to ship histograms between processes).
  std::vector<std::pair<uint32_t, uint64_t>> sparse() const;
  void add_sparse(const std::vector<std::pair<uint32_t, uint64_t>>& buckets, uint64_t min,
                  uint64_t max, uint64_t sum);
  uint64_t sum() const { return sum_; }

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;
};

}  // namespace engage::load
