// Tests of the bus envelope codec: exact bytes, round trips, every truncation, every error.
#include "store/bus_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace engage::store::bus {
namespace {

Message sample() {
  Message m;
  m.sender = 0x0102030405060708ull;
  m.nsp = "/play-along";
  m.rooms = {"room-1"};
  m.except = {"sockid"};
  m.frames = {"42/play-along,[\"move_update\",{}]"};
  return m;
}

TEST(BusCodec, EncodesTheDocumentedLayout) {
  Message m;
  m.sender = 0x0102030405060708ull;
  m.nsp = "/a";
  m.rooms = {"r"};
  m.frames = {"x", std::string("\0\xff", 2)};
  m.has_binary = true;
  const std::string expected =
      std::string("\xE5\x01\x08\x07\x06\x05\x04\x03\x02\x01", 10) +  // magic, flags, sender LE
      std::string("\x02/a") +                                        // nsp
      std::string("\x01\x01r") +                                     // rooms
      std::string("\x00", 1) +                                       // except
      std::string("\x02\x01x\x02\x00\xff", 6);                       // frames
  EXPECT_EQ(encode(m), expected);
}

TEST(BusCodec, RoundTripsBinarySafeStrings) {
  Message m = sample();
  m.nsp = std::string("/n\0s", 4);
  m.rooms = {std::string("\0", 1), "", std::string(300, 'r')};
  m.except = {"a", std::string("\x80\x81", 2)};
  m.frames = {"4x", std::string(200000, '\0'), std::string("\xE5", 1)};
  m.has_binary = true;
  auto d = decode(encode(m));
  ASSERT_TRUE(d) << error_name(d.error());
  EXPECT_EQ(*d, m);
  EXPECT_EQ(encode(*d), encode(m));
}

TEST(BusCodec, EncodeToAppends) {
  std::string out = "prefix";
  encode_to(out, sample());
  EXPECT_EQ(out, "prefix" + encode(sample()));
}

TEST(BusCodec, EveryTruncationIsAnErrorNeverACrash) {
  const std::string wire = encode(sample());
  for (std::size_t n = 0; n < wire.size(); ++n) {
    auto d = decode(std::string_view(wire).substr(0, n));
    ASSERT_FALSE(d) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(d.error(), Error::Truncated) << n;
  }
  EXPECT_TRUE(decode(wire));
}

TEST(BusCodec, RejectsBadMagicAndFlags) {
  std::string wire = encode(sample());
  std::string bad = wire;
  bad[0] = '{';
  ASSERT_FALSE(decode(bad));
  EXPECT_EQ(decode(bad).error(), Error::BadMagic);
  bad = wire;
  bad[1] = 2;
  ASSERT_FALSE(decode(bad));
  EXPECT_EQ(decode(bad).error(), Error::BadFlags);
}

TEST(BusCodec, RejectsTrailingBytes) {
  auto d = decode(encode(sample()) + "!");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::TrailingBytes);
}

TEST(BusCodec, RejectsABroadcastWithoutFrames) {
  Message m = sample();
  m.frames.clear();
  auto d = decode(encode(m));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::NoFrames);
}

TEST(BusCodec, RejectsNonMinimalAndOversizedVarints) {
  std::string head("\xE5\x00\0\0\0\0\0\0\0\0", 10);
  // nsp length 1 written as two bytes (0x81 0x00): non-minimal.
  auto d = decode(head + std::string("\x81\x00/", 3));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::BadVarint);
  // 2^35 - 1: more than 32 bits.
  d = decode(head + std::string("\xff\xff\xff\xff\x7f", 5));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::BadVarint);
  // Six continuation bytes: never terminates within 5 bytes.
  d = decode(head + std::string("\x80\x80\x80\x80\x80\x80", 6));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::BadVarint);
}

TEST(BusCodec, EnforcesLimits) {
  Message m = sample();
  m.rooms = {"a", "b", "c"};
  Limits l;
  l.max_rooms = 2;
  auto d = decode(encode(m), l);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::TooMany);
  l = Limits{};
  l.max_string = 5;
  d = decode(encode(sample()), l);  // the text frame is longer than 5 bytes
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::TooMany);
  l = Limits{};
  l.max_frames = 1;
  m = sample();
  m.frames.push_back("bin");
  d = decode(encode(m), l);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::TooMany);
}

TEST(BusCodec, AHugeCountInATinyMessageIsTruncatedNotAllocated) {
  std::string head("\xE5\x00\0\0\0\0\0\0\0\0\x00", 11);  // empty nsp
  Limits l;
  l.max_rooms = 0xffffffffu;
  auto d = decode(head + std::string("\xff\xff\xff\xff\x0f", 5), l);  // 2^32-1 rooms, no bytes
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::Truncated);
}

TEST(BusCodec, ErrorNamesAreDistinct) {
  EXPECT_EQ(error_name(Error::Truncated), "truncated");
  EXPECT_NE(error_name(Error::BadMagic), error_name(Error::BadFlags));
}

TEST(BusChannels, RoomChannelCarriesTheRoomAsHashTag) {
  EXPECT_EQ(room_channel("engage:bus", "/play-along", "r1"), "engage:bus:{r1}/play-along");
  EXPECT_EQ(nsp_channel("engage:bus", "/play-along"), "engage:bus:/play-along");
  EXPECT_TRUE(is_room_channel("engage:bus:{r1}/play-along", "engage:bus", "/play-along", "r1"));
  EXPECT_FALSE(is_room_channel("engage:bus:{r1}/play-along", "engage:bus", "/play-along", "r2"));
  EXPECT_FALSE(is_room_channel("engage:bus:{r1}/play-alonx", "engage:bus", "/play-along", "r1"));
  EXPECT_FALSE(is_room_channel("engage:bux:{r1}/play-along", "engage:bus", "/play-along", "r1"));
  EXPECT_FALSE(is_room_channel("engage:bus:{r1)/play-along", "engage:bus", "/play-along", "r1"));
  EXPECT_FALSE(is_room_channel("engage:bus:/play-along", "engage:bus", "/play-along", ""));
  EXPECT_TRUE(is_room_channel(room_channel("p", "/n", ""), "p", "/n", ""));
}

}  // namespace
}  // namespace engage::store::bus
