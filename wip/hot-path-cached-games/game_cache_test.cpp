// GameCache: LRU and version keying; /play-along moves served from it and rebuilt on a miss.
#include "engage/game_cache.h"

#include "harness.h"

namespace engage::engage::testing {
namespace {

chess::Game after(const std::vector<std::string>& uci) {
  chess::Game g;
  EXPECT_TRUE(g.replay(uci).has_value());
  return g;
}

TEST(GameCacheTest, TakesOnlyTheSameVersionAndDropsStaleGames) {
  GameCache c(8, 2);
  EXPECT_FALSE(c.take("r", 1).has_value());
  c.put("r", 3, after({"e2e4"}));
  EXPECT_EQ(c.size(), 1u);
  auto g = c.take("r", 3);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->history_uci(), (std::vector<std::string>{"e2e4"}));
  EXPECT_EQ(c.size(), 0u);  // taken out, not copied
  c.put("r", 4, std::move(*g));
  EXPECT_FALSE(c.take("r", 5).has_value());  // another instance moved: stale, dropped
  EXPECT_EQ(c.size(), 0u);
  const auto s = c.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 2u);
}

TEST(GameCacheTest, EvictsTheLeastRecentlyUsedAndErases) {
  GameCache c(2, 1);
  c.put("a", 1, after({}));
  c.put("b", 1, after({}));
  c.put("a", 2, after({"e2e4"}));  // refreshes a
  c.put("c", 1, after({}));        // evicts b
  EXPECT_EQ(c.size(), 2u);
  EXPECT_FALSE(c.take("b", 1).has_value());
  EXPECT_EQ(c.stats().evictions, 1u);
  c.erase("c");
  EXPECT_FALSE(c.take("c", 1).has_value());
  auto a = c.take("a", 2);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ply(), 1);
  GameCache off(0);
  off.put("a", 1, after({}));
  EXPECT_EQ(off.size(), 0u);
}

using CachedChess = EngageTest;

TEST_F(CachedChess, MovesHitTheCacheAndAnotherInstancesMoveIsReplayed) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  GameCache& games = service_->play().games();
  play(w, id, "g1f3");
  play(b, id, "g8f6");
  play(w, id, "f3g1");
  EXPECT_EQ(games.stats().misses, 1u);  // the first move rebuilt the game
  EXPECT_EQ(games.stats().hits, 2u);
  EXPECT_EQ(games.size(), 1u);
  // Another instance on the same store plays black's move: this instance's game is stale.
  FakeServer io2;
  Service other(io2, *store_);
  bool moved = false;
  other.play().move(PlayAlong::Actor{"bob", ""}, MakeMove{id, "f6", "g8", ""},
                    [&](Expected<PlayAlong::Moved, ApiError> r) { moved = r.has_value(); });
  ASSERT_TRUE(moved);
  play(w, id, "g1f3");
  EXPECT_EQ(S(w->last("move_update"), "san"), "Nf3");
  EXPECT_EQ(games.stats().misses, 2u);
  // The history survived the miss: the third occurrence is a threefold repetition.
  play(b, id, "g8f6");
  play(w, id, "f3g1");
  EXPECT_EQ(w->count("game_over"), 0u);
  play(b, id, "f6g8");
  EXPECT_EQ(S(b->last("game_over"), "termination"), "threefold_repetition");
  EXPECT_EQ(games.size(), 0u);  // finished games leave the cache
  // A refused move keeps the cached game.
  auto w2 = chess("carol");
  auto b2 = chess("dave");
  std::string id2 = start_game(w2, b2);
  play(w2, id2, "e2e4");
  play(b2, id2, "e7e4");
  EXPECT_NE(last_error(b2).find("Invalid move"), std::string::npos);
  const auto hits = games.stats().hits;
  play(b2, id2, "e7e5");
  EXPECT_EQ(games.stats().hits, hits + 1);
  EXPECT_EQ(S(stored("chess:room:" + id2), "fen"),
            "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq e6 0 2");
}

TEST_F(CachedChess, ResignLeavesTheCache) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  play(w, id, "e2e4");
  EXPECT_EQ(service_->play().games().size(), 1u);
  json::Object o;
  o.emplace_back("roomId", id);
  send(b, "resign", json::Value(std::move(o)));
  EXPECT_EQ(S(w->last("game_over"), "reason"), "resignation");
  EXPECT_EQ(service_->play().games().size(), 0u);
}

}  // namespace
}  // namespace engage::engage::testing
