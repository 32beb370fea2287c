// Random and Clock implementations: getrandom(2)-backed CSPRNG, splitmix64 for tests.
#include "core/random.h"

#include <sys/random.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/clock.h"

namespace engage {

namespace {

// Reads the kernel CSPRNG in 256-byte chunks per thread, so ids cost no syscall each.
class SystemRandom final : public Random {
 public:
  void fill(void* out, std::size_t n) override {
    thread_local std::array<unsigned char, 256> buf;
    thread_local std::size_t avail = 0;
    auto* dst = static_cast<unsigned char*>(out);
    while (n > 0) {
      if (avail == 0) {
        std::size_t got = 0;
        while (got < buf.size()) {
          ssize_t r = getrandom(buf.data() + got, buf.size() - got, 0);
          if (r < 0) {
            if (errno == EINTR) continue;
            std::abort();  // no entropy source: nothing safe to do
          }
          got += static_cast<std::size_t>(r);
        }
        avail = buf.size();
      }
      std::size_t take = n < avail ? n : avail;
      std::memcpy(dst, buf.data() + (buf.size() - avail), take);
      avail -= take;
      dst += take;
      n -= take;
    }
  }
};

SystemRandom g_system_random;
std::atomic<Random*> g_random{&g_system_random};

class SystemClock final : public Clock {};
SystemClock g_system_clock;
std::atomic<const Clock*> g_clock{&g_system_clock};

}  // namespace

uint64_t Random::next_u64() {
  uint64_t v = 0;
  fill(&v, sizeof v);
  return v;
}

uint64_t Random::uniform(uint64_t bound) {
  // Rejection sampling: discard the top partial range so every value is equally likely.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  for (;;) {
    uint64_t v = next_u64();
    if (v < limit) return v % bound;
  }
}

Random& Random::get() {
  return *g_random.load(std::memory_order_relaxed);
}
void Random::install(Random* r) {
  g_random.store(r ? r : &g_system_random);
}

void SeededRandom::fill(void* out, std::size_t n) {
  auto* dst = static_cast<unsigned char*>(out);
  while (n > 0) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    std::size_t take = n < sizeof z ? n : sizeof z;
    std::memcpy(dst, &z, take);
    dst += take;
    n -= take;
  }
}

std::string random_id(std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string s(n, '\0');
  std::array<unsigned char, 64> bytes{};
  std::size_t i = 0;
  while (i < n) {
    std::size_t take = n - i < bytes.size() ? n - i : bytes.size();
    Random::get().fill(bytes.data(), take);
    for (std::size_t j = 0; j < take; ++j) s[i + j] = kAlphabet[bytes[j] & 63];
    i += take;
  }
  return s;
}

std::string random_room_code() {
  return std::to_string(100000 + Random::get().uniform(900000));
}

int64_t Clock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
std::chrono::steady_clock::time_point Clock::steady() const {
  return std::chrono::steady_clock::now();
}
const Clock& Clock::get() {
  return *g_clock.load(std::memory_order_relaxed);
}
void Clock::install(const Clock* c) {
  g_clock.store(c ? c : &g_system_clock);
}

}  // namespace engage
