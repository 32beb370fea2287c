// GameCache: LRU and version keying; /play-along moves served from it and rebuilt on a miss.
#include "engage/game_cache.h"

#include <atomic>
#include <thread>

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
            "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2");
}

TEST_F(CachedChess, ALongGameWithRefusedMovesInBetweenMatchesTheReplay) {
  const std::vector<std::string> script{"e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "f8c5",
                                        "c2c3", "g8f6", "d2d4", "e5d4", "c3d4", "c5b4",
                                        "b1c3", "f6e4", "e1g1", "e4c3", "b2c3", "b4c3"};
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  for (std::size_t i = 0; i < script.size(); ++i) {
    auto& mover = i % 2 == 0 ? w : b;
    auto& other = i % 2 == 0 ? b : w;
    play(other, id, script[i + 1 < script.size() ? i + 1 : i]);  // not its turn: refused
    play(mover, id, script[i]);
    play(mover, id, script[i]);  // a double submit: refused, the game is unchanged
    ASSERT_EQ(stored("chess:room:" + id).find("moves")->size(), i + 1) << script[i];
  }
  chess::Game replayed;
  ASSERT_TRUE(replayed.replay(script).has_value());
  EXPECT_EQ(S(stored("chess:room:" + id), "fen"), replayed.fen());
  EXPECT_EQ(service_->play().games().stats().misses, 1u);
}

TEST_F(CachedChess, RacingSidesAndDoubleSubmitsKeepTheCachedGameRight) {
  const std::vector<std::string> script{"e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "f8c5",
                                        "c2c3", "g8f6", "d2d4", "e5d4", "c3d4", "c5b4",
                                        "b1c3", "f6e4", "e1g1", "e4c3", "b2c3", "b4c3"};
  auto w = chess("alice");
  auto w_tab2 = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  // Each side (white on two tabs) submits as soon as the stored turn is its own, so both tabs'
  // copies race each other and the other side's reads; a flood while waiting would only
  // measure the per-room queue's fairness (see Races.ABurstOfMoves...).
  std::atomic<bool> stuck{false};
  auto side = [&](std::vector<FakeSocketPtr> sockets, std::size_t parity) {
    const std::string colour = parity == 0 ? "white" : "black";
    for (std::size_t i = parity; i < script.size() && !stuck; i += 2) {
      bool applied = false;
      for (int spins = 0; spins < 2000000 && !stuck; ++spins) {
        json::Value doc = stored("chess:room:" + id);
        if (doc.find("moves")->size() > i) {
          applied = true;
          break;
        }
        if (S(doc, "turn") != colour) continue;
        for (auto& s : sockets) play(s, id, script[i]);
      }
      if (!applied) {
        stuck = true;
        ADD_FAILURE() << "stuck at ply " << i << " (" << script[i]
                      << "): " << last_error(sockets[0]) << " in "
                      << stored("chess:room:" + id).dump();
      }
    }
  };
  std::thread tw([&] { side({w, w_tab2}, 0); });
  std::thread tb([&] { side({b}, 1); });
  tw.join();
  tb.join();
  json::Value doc = stored("chess:room:" + id);
  chess::Game replayed;
  ASSERT_TRUE(replayed.replay(script).has_value());
  EXPECT_EQ(doc.find("moves")->size(), script.size());
  EXPECT_EQ(S(doc, "fen"), replayed.fen());
  EXPECT_EQ(*doc.find("version")->as_int(), static_cast<int64_t>(2 + script.size()));
  EXPECT_EQ(w->count("move_update"), script.size());  // no move applied twice
}

TEST_F(CachedChess, UpdatesSkipTheReadAndAStaleRefusalIsRecheckedInTheStore) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  const DocCache& docs = service_->env().rooms.docs();
  play(w, id, "e2e4");
  play(b, id, "e7e5");
  EXPECT_EQ(docs.stats().hits, 2u);  // each move worked on the previous commit (join, e4)
  EXPECT_EQ(docs.size(), 1u);
  // White moves through another instance: this one's cached document still says black moved
  // last, i.e. white to move — and black's reply must not be refused from that stale copy.
  FakeServer io2;
  Service other(io2, *store_);
  bool moved = false;
  other.play().move(PlayAlong::Actor{"alice", ""}, MakeMove{id, "g1", "f3", ""},
                    [&](Expected<PlayAlong::Moved, ApiError> r) { moved = r.has_value(); });
  ASSERT_TRUE(moved);
  b->clear();
  play(b, id, "b8c6");
  EXPECT_EQ(last_error(b), "");
  EXPECT_EQ(S(b->last("move_update"), "san"), "Nc6");
  // White plays Bc4 through the other instance; here the cached copy says white to move, so
  // white's d2d4 is accepted on it, fails the compare-and-set, is re-read and refused.
  other.play().move(PlayAlong::Actor{"alice", ""}, MakeMove{id, "f1", "c4", ""},
                    [&](Expected<PlayAlong::Moved, ApiError> r) { moved = r.has_value(); });
  ASSERT_TRUE(moved);
  w->clear();
  play(w, id, "d2d4");
  EXPECT_EQ(last_error(w), "Not your turn");
  json::Value doc = stored("chess:room:" + id);
  EXPECT_EQ(doc.find("moves")->size(), 5u);
  EXPECT_EQ(*doc.find("version")->as_int(), 7);
  chess::Game replayed;
  ASSERT_TRUE(replayed.replay({"e2e4", "e7e5", "g1f3", "b8c6", "f1c4"}).has_value());
  EXPECT_EQ(S(doc, "fen"), replayed.fen());
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
