// /watch-along and /sing-along over the fake Socket.IO server: rooms, host control, presence.
#include "engage/sync_room.h"

#include "harness.h"

namespace engage::engage::testing {
namespace {

class Watch : public EngageTest {
 protected:
  std::string create(const FakeSocketPtr& host) {
    send(host, "create_watch_room",
         R"({"videoId":"dQw4w9WgXcQ","videoUrl":"https://youtu.be/dQw4w9WgXcQ"})");
    return S(host->last("room_created"), "roomId");
  }
  json::Value room_arg(const std::string& id, std::optional<double> t = std::nullopt) {
    json::Object o;
    o.emplace_back("roomId", id);
    if (t) o.emplace_back("currentTime", *t);
    return json::Value(std::move(o));
  }
};

TEST_F(Watch, NeedsAuthentication) {
  std::string err;
  EXPECT_FALSE(io_.connect("/watch-along", json::Value::object(), &err));
  EXPECT_EQ(err, "Authentication required");
  EXPECT_FALSE(io_.connect("/sing-along", J(R"({"userId":""})"), &err));
  EXPECT_EQ(err, "Authentication required");
  EXPECT_TRUE(io_.connect("/watch-along", J(R"({"token":"t"})"), &err));
  // Nothing is emitted on connection.
  EXPECT_TRUE(watch("alice")->events().empty());
}

TEST_F(Watch, CreateJoinAndParticipants) {
  auto host = watch("host");
  auto guest = watch("guest");
  send(host, "create_watch_room", R"({"videoId":"v"})");
  EXPECT_EQ(last_error(host), "videoId and videoUrl are required");
  std::string id = create(host);
  json::Value room = host->last("room_created");
  auto k = keys(room);
  EXPECT_EQ(std::vector<std::string>(k.begin(), k.begin() + 8),
            (std::vector<std::string>{"roomId", "hostId", "videoId", "videoUrl", "isPlaying",
                                      "currentTime", "createdAt", "participants"}));
  EXPECT_EQ(room.find("presence"), nullptr);
  EXPECT_TRUE(is_room_code(S(room, "roomCode")));
  send(guest, "join_watch_room", room_arg(id));
  json::Value joined = guest->last("room_joined");
  k = keys(joined);
  EXPECT_EQ(k[8], "isHost");
  EXPECT_FALSE(joined.find("isHost")->as_bool());
  EXPECT_EQ(joined.find("participants")->size(), 2u);
  EXPECT_EQ(S(host->last("participant_joined"), "userId"), "guest");
  EXPECT_EQ(guest->count("participant_joined"), 0u);
  // A second join of the same socket re-sends the state without a new participant_joined.
  send(guest, "join_watch_room", room_arg(id));
  EXPECT_EQ(guest->count("room_joined"), 2u);
  EXPECT_EQ(host->count("participant_joined"), 1u);
  // By code, and by the original client's "room_" + code.
  auto third = watch("third");
  send(third, "join_watch_room", "{\"roomId\":\"room_" + S(room, "roomCode") + "\"}");
  EXPECT_EQ(S(third->last("room_joined"), "roomId"), id);
  send(third, "join_watch_room", R"({"roomId":"nope"})");
  EXPECT_EQ(last_error(third), "Room not found");
  send(third, "join_watch_room", "{}");
  EXPECT_EQ(last_error(third), "roomId is required");
}

TEST_F(Watch, HostControlsPlaybackWithServerTime) {
  auto host = watch("host");
  auto guest = watch("guest");
  std::string id = create(host);
  send(guest, "join_watch_room", room_arg(id));
  send(guest, "play", room_arg(id, 3));
  EXPECT_EQ(last_error(guest), "Only host can control playback");
  EXPECT_EQ(S(guest->last("error"), "code"), "NOT_HOST");
  const int64_t t0 = clock_.now_ms();
  send(host, "play", room_arg(id, 10));
  json::Value sp = guest->last("sync_play");
  EXPECT_EQ(keys(sp),
            (std::vector<std::string>{"currentTime", "isPlaying", "serverTime", "version"}));
  EXPECT_EQ(sp.find("currentTime")->as_double(), 10);
  EXPECT_TRUE(sp.find("isPlaying")->as_bool());
  EXPECT_EQ(*sp.find("serverTime")->as_int(), t0);
  EXPECT_EQ(host->count("sync_play"), 1u);
  // A late joiner computes the playhead from serverTime.
  clock_.advance_ms(5000);
  auto late = watch("late");
  send(late, "join_watch_room", room_arg(id));
  json::Value j = late->last("room_joined");
  EXPECT_EQ(j.find("currentTime")->as_double(), 10);
  EXPECT_EQ(*j.find("serverTime")->as_int(), t0);
  EXPECT_TRUE(j.find("isPlaying")->as_bool());
  // Pause without a time pauses where the playhead is now.
  send(host, "pause", room_arg(id));
  json::Value pz = late->last("sync_pause");
  EXPECT_EQ(pz.find("currentTime")->as_double(), 15);
  EXPECT_FALSE(pz.find("isPlaying")->as_bool());
  send(host, "seek", room_arg(id, 42.5));
  json::Value sk = guest->last("sync_seek");
  EXPECT_EQ(sk.find("currentTime")->as_double(), 42.5);
  EXPECT_FALSE(sk.find("isPlaying")->as_bool());
  send(host, "seek", room_arg(id));
  EXPECT_EQ(last_error(host), "roomId and currentTime are required");
  send(guest, "change_video", R"({"roomId":")" + id + R"(","videoId":"x","videoUrl":"y"})");
  EXPECT_EQ(last_error(guest), "Only host can change video");
  send(host, "change_video", R"({"roomId":")" + id + R"(","videoId":"x","videoUrl":"y"})");
  json::Value sv = guest->last("sync_video");
  EXPECT_EQ(S(sv, "videoId"), "x");
  EXPECT_EQ(S(sv, "videoUrl"), "y");
  json::Value doc = stored("watchalong:room:" + id);
  EXPECT_EQ(doc.find("currentTime")->as_double(), 0);
  EXPECT_FALSE(doc.find("isPlaying")->as_bool());
  send(host, "play", room_arg("room_0_gone", 1));
  EXPECT_EQ(last_error(host), "Room not found");  // the original was silent
  // Versions grow by one per change.
  EXPECT_EQ(*sp.find("version")->as_int() + 4,
            *sv.find("version")->as_int());  // join, pause, seek, video
}

TEST_F(Watch, TheHostOfRoomACannotControlRoomB) {
  auto a = watch("host-a");
  auto b = watch("host-b");
  auto bg = watch("guest-b");
  create(a);
  std::string room_b = create(b);
  send(bg, "join_watch_room", room_arg(room_b));
  send(a, "play", room_arg(room_b, 99));
  EXPECT_EQ(last_error(a), "Only host can control playback");
  send(a, "change_video", R"({"roomId":")" + room_b + R"(","videoId":"x","videoUrl":"y"})");
  EXPECT_EQ(last_error(a), "Only host can change video");
  EXPECT_EQ(bg->count("sync_play"), 0u);
  EXPECT_EQ(bg->count("sync_video"), 0u);
  EXPECT_FALSE(stored("watchalong:room:" + room_b).find("isPlaying")->as_bool());
}

TEST_F(Watch, HostLeavingHandsOverAndTheLastMemberClosesTheRoom) {
  auto host = watch("host");
  auto g1 = watch("g1");
  auto g2 = watch("g2");
  std::string id = create(host);
  std::string code = S(host->last("room_created"), "roomCode");
  send(g1, "join_watch_room", room_arg(id));
  send(g2, "join_watch_room", room_arg(id));
  io_.drop(host);
  EXPECT_EQ(S(g1->last("participant_left"), "userId"), "host");
  json::Value hc = g2->last("host_changed");
  EXPECT_EQ(keys(hc), (std::vector<std::string>{"roomId", "hostId", "version"}));
  EXPECT_EQ(S(hc, "hostId"), "g1");
  json::Value doc = stored("watchalong:room:" + id);
  EXPECT_EQ(doc.find("participants")->size(), 2u);
  // The new host controls playback.
  send(g1, "play", room_arg(id, 1));
  EXPECT_EQ(g2->count("sync_play"), 1u);
  io_.drop(g1);
  io_.drop(g2);
  EXPECT_TRUE(stored("watchalong:room:" + id).is_null());
  std::string mapped = "still";
  store_->get_string("watchalong:code:" + code, [&](store::Errc e, std::string) {
    if (e == store::Errc::NotFound) mapped.clear();
  });
  EXPECT_EQ(mapped, "");
}

TEST_F(Watch, AUserWithTwoSocketsLeavesWhenBothAreGone) {
  auto host = watch("host");
  auto g = watch("g");
  std::string id = create(host);
  send(g, "join_watch_room", room_arg(id));
  // Two sockets of one user: the user stays until both are gone.
  auto g_again = watch("g");
  send(g_again, "join_watch_room", room_arg(id));
  io_.drop(g);
  EXPECT_EQ(host->count("participant_left"), 0u);
  io_.drop(g_again);
  EXPECT_EQ(host->count("participant_left"), 1u);
}

TEST_F(Watch, ExpiredRoomsAreAnnounced) {
  auto host = watch("host");
  std::string id = create(host);
  // Presence keeps a room alive: sweeps while members are connected refresh its TTL.
  clock_.advance_ms(1800 * 1000);
  service_->sweep();
  clock_.advance_ms(1800 * 1000);
  service_->sweep();
  EXPECT_FALSE(stored("watchalong:room:" + id).is_null());
  EXPECT_EQ(host->count("room_closed"), 0u);
  // One hour with no activity at all (no sweep ran) and the room is gone.
  clock_.advance_ms(3601 * 1000);
  service_->sweep();
  json::Value closed = host->last("room_closed");
  EXPECT_EQ(S(closed, "roomId"), id);
  EXPECT_EQ(S(closed, "reason"), "expired");
  service_->sweep();
  EXPECT_EQ(host->count("room_closed"), 1u);
}

TEST_F(Watch, SingAlongIsTheSameWithItsOwnNames) {
  auto host = sing("host");
  auto guest = sing("guest");
  send(host, "create_sing_room", "null");  // sing never required a video
  json::Value room = host->last("room_created");
  std::string id = S(room, "roomId");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(room.find("videoId"), nullptr);
  EXPECT_FALSE(stored("singalong:room:" + id).is_null());
  send(guest, "join_sing_room", room_arg(id));
  EXPECT_EQ(S(guest->last("room_joined"), "roomId"), id);
  send(host, "play", room_arg(id, 2));
  EXPECT_EQ(guest->count("sync_play"), 1u);
  send(host, "change_video", R"({"roomId":")" + id + R"(","videoId":"a","videoUrl":"b"})");
  auto k = keys(stored("singalong:room:" + id));
  EXPECT_EQ(k[2], "videoId");
  EXPECT_EQ(k[3], "videoUrl");
  // The two namespaces are separate: a watch event on sing is ignored, and a watch room id
  // does not exist on sing.
  send(guest, "create_watch_room", R"({"videoId":"v","videoUrl":"u"})");
  EXPECT_EQ(guest->count("room_created"), 0u);
}

}  // namespace
}  // namespace engage::engage::testing
