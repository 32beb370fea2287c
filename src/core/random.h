// Randomness: a CSPRNG for ids and room codes, injectable for tests.
#pragma once

#include <cstdint>
#include <string>

namespace engage {

// Source of random bytes. The default reads the kernel CSPRNG (getrandom(2)) through a
// per-thread buffer; tests install a SeededRandom for repeatable runs.
class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(void* out, std::size_t n) = 0;

  uint64_t next_u64();
  // Returns a uniform integer in [0, bound) without modulo bias. bound > 0.
  uint64_t uniform(uint64_t bound);

  // Returns the process-wide source (the CSPRNG unless a test installed another).
  static Random& get();
  // Installs `r` as the process-wide source (tests only).
  static void install(Random* r);
};

// A deterministic generator (splitmix64) for tests and the load generator. Not for secrets.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void fill(void* out, std::size_t n) override;

 private:
  uint64_t state_;
};

// Returns `n` characters of URL-safe base64 alphabet drawn from Random::get() (ids, sids).
std::string random_id(std::size_t n);
// Returns a 6-digit room code "100000".."999999" drawn from Random::get().
std::string random_room_code();

}  // namespace engage
