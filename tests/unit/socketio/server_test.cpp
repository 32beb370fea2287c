// Socket.IO server over Engine.IO sessions with fake WebSockets: CONNECT replies, middleware,
// acks, rooms and broadcasts (to a room, except, to one socket), adapter hooks, reasons, EIO3.
#include "engineio/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "net/loops.h"
#include "socketio/server_impl.h"

namespace engage::sio {
namespace {

class FakeWebSocket final : public net::WebSocket {
 public:
  void set_handlers(Handlers h) override { handlers = std::move(h); }
  void send(std::shared_ptr<const std::string> data, bool binary) override {
    sent.emplace_back(*data, binary);
  }
  void close(uint16_t code) override { closed = code; }
  std::size_t loop() const override { return 0; }
  std::size_t buffered_bytes() const override { return 0; }
  // Returns and forgets what was sent so far, without the Engine.IO open packet.
  std::vector<std::string> take() {
    std::vector<std::string> out;
    for (auto& [d, b] : sent)
      if (d.empty() || d[0] != '0' || b) out.push_back(d);
    sent.clear();
    return out;
  }
  void receive(std::string_view data, bool binary = false) { handlers.on_message(data, binary); }

  Handlers handlers;
  std::vector<std::pair<std::string, bool>> sent;
  std::optional<uint16_t> closed;
};

class RecordingAdapter final : public Adapter {
 public:
  void publish(const BroadcastTarget& to, std::shared_ptr<const std::vector<std::string>> frames,
               bool has_binary) override {
    published.push_back(to.nsp + "|" + (*frames)[0] + (has_binary ? "|bin" : ""));
  }
  void room_opened(const std::string& nsp, const std::string& room) override {
    events.push_back("open " + nsp + " " + room);
  }
  void room_closed(const std::string& nsp, const std::string& room) override {
    events.push_back("close " + nsp + " " + room);
  }
  std::vector<std::string> published, events;
};

class SioServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eio::Options eo;
    eo.ping_interval_ms = 10000;
    eo.ping_timeout_ms = 10000;
    ServerOptions so;
    so.connect_timeout_ms = 80;
    io_ = std::make_unique<ServerImpl>(loops_, so);
    engine_ = std::make_unique<eio::Server>(loops_, "/socket.io/", eo, io_->open_callback());
  }
  void TearDown() override {
    engine_->close_all();
    poll();
  }
  void poll() {
    auto& ctx = loops_.context(0);
    ctx.restart();
    ctx.poll();
  }
  void run_for(int ms) {
    auto& ctx = loops_.context(0);
    ctx.restart();
    ctx.run_for(std::chrono::milliseconds(ms));
  }
  // Opens a websocket-only Engine.IO session; returns its socket with the open packet consumed.
  std::shared_ptr<FakeWebSocket> open(int eio = 4) {
    http::Request req;
    req.method = "GET";
    req.path = "/socket.io/";
    req.query = "EIO=" + std::to_string(eio) + "&transport=websocket";
    req.target = req.path + "?" + req.query;
    req.remote_address = "127.0.0.1";
    req.headers = {{"user-agent", "test"}, {"sec-websocket-key", "x"}};
    auto d = engine_->on_upgrade(req, 0);
    EXPECT_EQ(d.status, 0);
    auto ws = std::make_shared<FakeWebSocket>();
    d.accepted(ws);
    poll();
    EXPECT_FALSE(ws->sent.empty());
    EXPECT_EQ(ws->sent[0].first[0], '0');
    ws->sent.erase(ws->sent.begin());
    return ws;
  }
  // Connects `ws` to `nsp` and returns the socket id from the CONNECT reply.
  std::string connect(FakeWebSocket& ws, const std::string& nsp = "/") {
    ws.receive(nsp == "/" ? "40" : "40" + nsp + ",");
    poll();
    auto out = ws.take();
    EXPECT_FALSE(out.empty());
    std::string prefix = nsp == "/" ? "40{\"sid\":\"" : "40" + nsp + ",{\"sid\":\"";
    EXPECT_EQ(out[0].rfind(prefix, 0), 0u) << out[0];
    return out[0].substr(prefix.size(), 20);
  }

  net::Loops loops_{1};
  std::unique_ptr<ServerImpl> io_;
  std::unique_ptr<eio::Server> engine_;
};

TEST(Handshake, KeepsAddressUrlAndHeadersCompactlyAndDecodesTheQuery) {
  std::string long_value(300, 'v');  // lengths of two and more LEB128 bytes
  long_value[0] = 'x';
  std::vector<std::pair<std::string, std::string>> headers = {
      {"host", "example.org"},         {"sec-websocket-key", "k"}, {"upgrade", "websocket"},
      {"cookie", long_value},          {"connection", "Upgrade"},  {"x-empty", ""},
      {"sec-websocket-version", "13"}, {"host", "second"}};
  Handshake hs("10.0.0.7", "/socket.io/?EIO=4&transport=websocket&token=a%20b&flag", headers);
  EXPECT_EQ(hs.address(), "10.0.0.7");
  EXPECT_EQ(hs.url(), "/socket.io/?EIO=4&transport=websocket&token=a%20b&flag");
  auto kept = hs.headers();
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept[0], (std::pair<std::string_view, std::string_view>("host", "example.org")));
  EXPECT_EQ(kept[1].first, "cookie");
  EXPECT_EQ(kept[1].second, long_value);
  EXPECT_EQ(kept[2], (std::pair<std::string_view, std::string_view>("x-empty", "")));
  EXPECT_EQ(kept[3].second, "second");
  EXPECT_EQ(hs.header("host"), "example.org");  // the first one
  EXPECT_EQ(hs.header("upgrade"), "");
  EXPECT_EQ(hs.header("missing"), "");
  auto q = hs.query();
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>("token", "a b")));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>("flag", "")));
  Handshake copy = hs;
  EXPECT_EQ(copy.header("cookie"), long_value);
  Handshake empty;
  EXPECT_TRUE(empty.auth.value().is_null());
  EXPECT_EQ(empty.address(), "");
  EXPECT_EQ(empty.url(), "");
  EXPECT_TRUE(empty.headers().empty());
  EXPECT_TRUE(empty.query().empty());
}

TEST(Handshake, AuthIsKeptAsTextAndDecodesToAnEqualValue) {
  auto parsed = json::parse(R"({"token":"a\u00e9\"b","n":1.50,"big":12345678901234567890,)"
                            R"("list":[true,null,{"x":[]}],"empty":{}})");
  ASSERT_TRUE(parsed);
  Handshake hs;
  hs.auth = *parsed;
  json::Value back = hs.auth;  // converts where a json::Value is expected
  EXPECT_EQ(back, *parsed);
  EXPECT_EQ(back.dump(), parsed->dump());  // numbers keep their text (1.50)
  EXPECT_EQ(hs.auth.dump(), parsed->dump());
  Handshake copy = hs;
  EXPECT_EQ(copy.auth.value(), *parsed);
  hs.auth = json::Value::object();
  EXPECT_EQ(hs.auth.dump(), "{}");
  EXPECT_EQ(copy.auth.value(), *parsed);  // copies are independent
}

TEST_F(SioServerTest, ConnectRepliesWithOnlyTheSidAndUnknownNamespacesAreRefused) {
  std::vector<std::string> connected;
  NamespaceHandlers h;
  h.on_connect = [&](const SocketPtr& s) {
    connected.push_back(s->id());
    EXPECT_EQ(s->handshake().address(), "127.0.0.1");
    EXPECT_EQ(s->handshake().auth.dump(), R"({"token":"1"})");
    ASSERT_EQ(s->handshake().headers().size(), 1u);  // WebSocket plumbing headers are not kept
    EXPECT_EQ(s->handshake().eio, 4);
  };
  io_->add_namespace("/play", h);
  auto ws = open();
  ws->receive("40/play,{\"token\":\"1\"}");
  poll();
  auto out = ws->take();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(connected.size(), 1u);
  EXPECT_EQ(out[0], "40/play,{\"sid\":\"" + connected[0] + "\"}");
  ws->receive("40/nope,");
  poll();
  EXPECT_EQ(ws->take(), std::vector<std::string>{"44/nope,{\"message\":\"Invalid namespace\"}"});
  EXPECT_FALSE(ws->closed);
  EXPECT_EQ(io_->socket_count(), 1u);
}

TEST_F(SioServerTest, MiddlewareRefusesWithMessageAndDataOrAdmitsLater) {
  std::function<void(std::optional<ConnectError>)> pending;
  NamespaceHandlers h;
  h.middleware = [&](const SocketPtr& s, std::function<void(std::optional<ConnectError>)> done) {
    if (s->handshake().auth.value().find("ok")) {
      pending = std::move(done);  // completes later
      return;
    }
    done(ConnectError{"Authentication required",
                      json::Value(json::Object{{"why", json::Value("x")}})});
  };
  io_->add_namespace("/w", h);
  auto ws = open();
  ws->receive("40/w,{}");
  poll();
  EXPECT_EQ(ws->take(), std::vector<std::string>{
                            R"(44/w,{"message":"Authentication required","data":{"why":"x"}})"});
  ws->receive(R"(40/w,{"ok":1})");
  poll();
  EXPECT_TRUE(ws->take().empty());
  ASSERT_TRUE(pending);
  pending(std::nullopt);
  auto out = ws->take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rfind("40/w,{\"sid\":", 0), 0u);
}

TEST_F(SioServerTest, EventsAndAcksIncludingBinary) {
  NamespaceHandlers h;
  h.on_event = [&](const SocketPtr& s, const std::string& event, json::Value args, AckFn ack) {
    if (ack) {
      ack(std::move(args));
      return;
    }
    s->emit(event + "-back", std::move(args));
  };
  io_->add_namespace("/", h);
  auto ws = open();
  connect(*ws);
  ws->receive(R"(42["e",1,{"a":[true]}])");
  poll();
  EXPECT_EQ(ws->take(), std::vector<std::string>{R"(42["e-back",1,{"a":[true]}])"});
  ws->receive(R"(427["e","x"])");
  poll();
  EXPECT_EQ(ws->take(), std::vector<std::string>{R"(437["x"])"});
  ws->receive(R"(451-9["e",{"_placeholder":true,"num":0}])");
  ws->receive("\x01\x02", true);
  poll();
  auto out = ws->take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], R"(461-9[{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out[1], "\x01\x02");
}

TEST_F(SioServerTest, RoomsBroadcastExceptAndToOneSocketWithAdapterHooks) {
  auto adapter = std::make_shared<RecordingAdapter>();
  io_->set_adapter(adapter);
  std::vector<SocketPtr> sockets;
  NamespaceHandlers h;
  h.on_connect = [&](const SocketPtr& s) { sockets.push_back(s); };
  io_->add_namespace("/r", h);
  auto a = open(), b = open(), c = open();
  std::string ida = connect(*a, "/r"), idb = connect(*b, "/r"), idc = connect(*c, "/r");
  ASSERT_EQ(sockets.size(), 3u);
  sockets[0]->join("room1");
  sockets[1]->join("room1");
  sockets[1]->join("room1");  // twice: once
  EXPECT_EQ(adapter->events, std::vector<std::string>{"open /r room1"});
  EXPECT_EQ(sockets[1]->rooms(), std::vector<std::string>{"room1"});

  io_->broadcast({"/r", {"room1"}, {}}, "hello", json::Value(json::Array{json::Value(1)}));
  poll();
  EXPECT_EQ(a->take(), std::vector<std::string>{R"(42/r,["hello",1])"});
  EXPECT_EQ(b->take(), std::vector<std::string>{R"(42/r,["hello",1])"});
  EXPECT_TRUE(c->take().empty());
  EXPECT_EQ(adapter->published, std::vector<std::string>{R"(/r|42/r,["hello",1])"});

  io_->broadcast({"/r", {"room1"}, {ida}}, "x", json::Value::array());
  poll();
  EXPECT_TRUE(a->take().empty());
  EXPECT_EQ(b->take(), std::vector<std::string>{R"(42/r,["x"])"});

  io_->broadcast({"/r", {idc}, {}}, "direct", json::Value::array());
  io_->broadcast({"/r", {}, {}}, "all", json::Value::array());
  poll();
  EXPECT_EQ(c->take(), (std::vector<std::string>{R"(42/r,["direct"])", R"(42/r,["all"])"}));
  EXPECT_EQ(a->take(), std::vector<std::string>{R"(42/r,["all"])"});
  EXPECT_EQ(b->take(), std::vector<std::string>{R"(42/r,["all"])"});

  sockets[0]->leave("room1");
  EXPECT_EQ(adapter->events.size(), 1u);
  b->receive("41/r,");  // the last member leaves by disconnecting
  poll();
  EXPECT_EQ(adapter->events, (std::vector<std::string>{"open /r room1", "close /r room1"}));
  EXPECT_TRUE(b->take().empty());  // no reply to DISCONNECT
  (void)idb;
}

TEST_F(SioServerTest, DisconnectReasons) {
  std::vector<std::string> reasons;
  std::vector<SocketPtr> sockets;
  NamespaceHandlers h;
  h.on_connect = [&](const SocketPtr& s) { sockets.push_back(s); };
  h.on_disconnect = [&](const SocketPtr& s, std::string_view reason) {
    EXPECT_FALSE(s->connected());
    reasons.emplace_back(reason);
  };
  io_->add_namespace("/d", h);
  auto a = open(), b = open(), c = open();
  connect(*a, "/d");
  connect(*b, "/d");
  connect(*c, "/d");
  a->receive("41/d,");
  poll();
  sockets[1]->disconnect(false);
  EXPECT_EQ(b->take(), std::vector<std::string>{"41/d,"});
  EXPECT_FALSE(b->closed);
  c->handlers.on_close(1006);
  poll();
  EXPECT_EQ(reasons, (std::vector<std::string>{"client namespace disconnect",
                                               "server namespace disconnect", "transport close"}));
  EXPECT_EQ(io_->socket_count(), 0u);
}

TEST_F(SioServerTest, OneClientOnThreeNamespacesLeavesThemInAnyOrder) {
  std::vector<std::string> left;
  NamespaceHandlers h;
  h.on_disconnect = [&](const SocketPtr& s, std::string_view) { left.push_back(s->nsp()); };
  io_->add_namespace("/a", h);
  io_->add_namespace("/b", h);
  io_->add_namespace("/c", h);
  auto ws = open();
  connect(*ws, "/a");
  connect(*ws, "/b");
  connect(*ws, "/c");
  EXPECT_EQ(io_->socket_count(), 3u);
  ws->receive("41/a,");  // the first one leaves: the others stay reachable
  poll();
  ws->receive("42/b,[\"x\"]");
  poll();
  EXPECT_FALSE(ws->closed);
  ws->receive("40/a,");  // and /a can be joined again
  poll();
  EXPECT_EQ(ws->take().size(), 1u);
  ws->handlers.on_close(1006);
  poll();
  EXPECT_EQ(left, (std::vector<std::string>{"/a", "/b", "/c", "/a"}));
  EXPECT_EQ(io_->socket_count(), 0u);
}

TEST_F(SioServerTest, InvalidPacketsCloseTheConnection) {
  for (std::string bad : {"4abc", "42{}", "42abc[\"a\"]", "42[\"a\"]" /* not connected to / */}) {
    auto ws = open();
    if (bad != "42[\"a\"]") connect(*ws);
    ws->receive(bad);
    poll();
    EXPECT_TRUE(ws->closed) << bad;
  }
}

TEST_F(SioServerTest, ConnectTimeoutClosesIdleConnections) {
  auto ws = open();
  run_for(40);
  EXPECT_FALSE(ws->closed);
  run_for(80);
  EXPECT_TRUE(ws->closed);
  auto ok = open();
  connect(*ok);
  run_for(120);
  EXPECT_FALSE(ok->closed);
}

TEST_F(SioServerTest, Eio3ImplicitConnectAndQueryAuth) {
  std::vector<SocketPtr> sockets;
  NamespaceHandlers h;
  h.on_connect = [&](const SocketPtr& s) { sockets.push_back(s); };
  io_->add_namespace("/", h);
  io_->add_namespace("/admin", h);
  auto ws = open(3);
  poll();
  EXPECT_EQ(ws->take(), std::vector<std::string>{"40"});
  ASSERT_EQ(sockets.size(), 1u);
  EXPECT_EQ(sockets[0]->handshake().auth.dump(), "{}");
  EXPECT_EQ(sockets[0]->handshake().eio, 3);
  ws->receive("40/admin?token=a%20b&x=1,");
  poll();
  EXPECT_EQ(ws->take(), std::vector<std::string>{"40/admin,"});
  ASSERT_EQ(sockets.size(), 2u);
  EXPECT_EQ(sockets[1]->handshake().auth.dump(), R"({"token":"a b","x":"1"})");
  EXPECT_EQ(sockets[1]->id(), "/admin#" + sockets[0]->id());
  EXPECT_EQ(sockets[0]->id().size(), 20u);
}

}  // namespace
}  // namespace engage::sio
