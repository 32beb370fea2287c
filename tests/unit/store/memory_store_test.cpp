// Runs the Store contract suite against MemoryStore (ManualClock time), plus its own extras.
#include "store/memory_store.h"

#include "store_contract.h"

namespace engage::store::contract {
namespace {

class MemoryHarness final : public StoreHarness {
 public:
  MemoryHarness() {
    MemoryStoreOptions o;
    o.clock = &clock_;
    o.sweep_every = 7;  // sweep often so the incremental sweep is exercised
    first_ = std::make_unique<MemoryStore>(o);
  }
  std::unique_ptr<Store> make_instance() override {
    return std::make_unique<MemoryStore>(first_->backend());
  }
  void advance_ms(int64_t ms) override { clock_.advance_ms(ms); }

  ManualClock clock_;
  std::unique_ptr<MemoryStore> first_;
};

INSTANTIATE_TEST_SUITE_P(Memory, StoreContract,
                         ::testing::Values(HarnessParam{
                             "memory", [] { return std::make_unique<MemoryHarness>(); }}),
                         HarnessParam::name);

TEST(MemoryStore, SweepFreesExpiredKeysNobodyReads) {
  ManualClock clock;
  MemoryStoreOptions o;
  o.clock = &clock;
  MemoryStore s(o);
  for (int i = 0; i < 100; ++i)
    s.claim(std::string("k").append(std::to_string(i)), "v", i < 60 ? 1 : 100,
            [](Errc e) { ASSERT_EQ(e, Errc::Ok); });
  EXPECT_EQ(s.size(), 100u);
  clock.advance_ms(2000);
  EXPECT_EQ(s.size(), 40u);
  s.sweep();
  EXPECT_EQ(s.size(), 40u);
}

TEST(MemoryStore, CallbacksRunInlineOnTheCallingThread) {
  MemoryStore s;
  bool called = false;
  s.get("x", [&](Errc e, Doc) {
    called = true;
    EXPECT_EQ(e, Errc::NotFound);
  });
  EXPECT_TRUE(called);
}

TEST(MemoryStore, CallbackMayReenterTheStore) {
  MemoryStore s;
  Errc inner = Errc::Timeout;
  s.create("r", make_doc(1), 60,
           [&](Errc) { s.cas("r", 1, make_doc(2), 60, {}, [&](Errc e) { inner = e; }); });
  EXPECT_EQ(inner, Errc::Ok);
}

}  // namespace
}  // namespace engage::store::contract
