// Histogram: log-linear buckets — values below 256 exactly, then 128 buckets per power of two.
#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace engage::load {

std::size_t Histogram::index_of(uint64_t v) {
  const int bits = 64 - std::countl_zero(v);
  if (bits <= kSubBits) return static_cast<std::size_t>(v);
  const int shift = bits - kSubBits;
  return kHalf * static_cast<std::size_t>(shift) + static_cast<std::size_t>(v >> shift);
}

uint64_t Histogram::lowest_in(std::size_t i) {
  if (i < 2 * kHalf) return i;
  const std::size_t shift = i / kHalf - 1;
  const uint64_t mantissa = i - kHalf * shift;  // in [kHalf, 2*kHalf)
  return static_cast<uint64_t>(mantissa) << shift;
}

uint64_t Histogram::highest_in(std::size_t i) {
  if (i < 2 * kHalf) return i;
  const std::size_t shift = i / kHalf - 1;
  const uint64_t width = uint64_t{1} << shift;
  return lowest_in(i) + (width - 1);
}

Histogram::Histogram() : counts_(kBuckets, 0) {}

void Histogram::record(uint64_t v) {
  ++counts_[index_of(v)];
  ++count_;
  sum_ += v;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  if (count_ == 0) return;
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

uint64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_in(i), max_);
  }
  return max_;
}

std::vector<std::pair<uint32_t, uint64_t>> Histogram::sparse() const {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  if (count_ == 0) return out;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i]) out.emplace_back(static_cast<uint32_t>(i), counts_[i]);
  }
  return out;
}

void Histogram::add_sparse(const std::vector<std::pair<uint32_t, uint64_t>>& buckets, uint64_t min,
                           uint64_t max, uint64_t sum) {
  uint64_t added = 0;
  for (const auto& [i, c] : buckets) {
    if (i >= kBuckets || c == 0) continue;
    counts_[i] += c;
    added += c;
  }
  if (added == 0) return;
  count_ += added;
  sum_ += sum;
  min_ = std::min(min_, min);
  max_ = std::max(max_, max);
}

}  // namespace engage::load
