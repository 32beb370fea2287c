// Engine.IO session state machine without sockets: fake WebSocket, captured responses, a loop
// driven by the test (handshake, polling, heartbeat, upgrade, close, v3 differences).
#include "engineio/session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engineio/server.h"
#include "net/loops.h"

namespace engage::eio {
namespace {

// A WebSocket that records what the session does with it.
class FakeWebSocket final : public net::WebSocket {
 public:
  void set_handlers(Handlers h) override { handlers = std::move(h); }
  void send(std::shared_ptr<const std::string> data, bool binary) override {
    sent.emplace_back(*data, binary);
  }
  void close(uint16_t code) override { closed = code; }
  std::size_t loop() const override { return 0; }
  std::size_t buffered_bytes() const override { return 0; }

  Handlers handlers;
  std::vector<std::pair<std::string, bool>> sent;
  std::optional<uint16_t> closed;
};

// Records the messages and the close of one session.
class Recorder final : public SessionHandler {
 public:
  void on_message(std::string_view data, bool binary) override {
    messages.emplace_back(data, binary);
  }
  void on_close(std::string_view reason) override { close_reason = std::string(reason); }
  std::vector<std::pair<std::string, bool>> messages;
  std::optional<std::string> close_reason;
};

struct Captured {
  std::optional<http::Response> response;
  http::Respond respond() {
    return [this](http::Response r) { response = std::move(r); };
  }
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.ping_interval_ms = 60;
    options_.ping_timeout_ms = 40;
    options_.max_payload = 1000;
    options_.max_polling_buffer_bytes = 4096;
    make_server();
  }
  void make_server() {
    server_ = std::make_unique<Server>(loops_, "/engine.io/", options_,
                                       [this](const SessionPtr& s, const http::Request&) {
                                         last_session_ = s;
                                         recorder_ = std::make_shared<Recorder>();
                                         s->set_handler(recorder_);
                                       });
  }
  // Runs the loop's ready handlers (and timers due) for `ms` milliseconds.
  void run_for(int ms) {
    auto& ctx = loops_.context(0);
    ctx.restart();
    ctx.run_for(std::chrono::milliseconds(ms));
  }
  void poll() {
    auto& ctx = loops_.context(0);
    ctx.restart();
    ctx.poll();
  }
  static http::Request make(std::string method, std::string query, std::string body = "") {
    http::Request r;
    r.method = std::move(method);
    r.path = "/engine.io/";
    r.query = std::move(query);
    r.target = r.path + "?" + r.query;
    r.body = std::move(body);
    return r;
  }
  // Sends a request and returns its response (or nullopt when held).
  std::optional<http::Response> call(std::string method, std::string query, std::string body = "",
                                     Captured* keep = nullptr) {
    Captured local;
    Captured& c = keep ? *keep : local;
    server_->on_request(make(std::move(method), std::move(query), std::move(body)), 0, c.respond());
    poll();
    return c.response;
  }
  std::string handshake(int eio = 4) {
    auto r = call("GET", "EIO=" + std::to_string(eio) + "&transport=polling");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    std::string body = r->body;
    if (eio == 3) body = body.substr(body.find(':') + 1);
    auto sid_at = body.find("\"sid\":\"") + 7;
    return body.substr(sid_at, body.find('"', sid_at) - sid_at);
  }

  net::Loops loops_{1};
  Options options_;
  std::unique_ptr<Server> server_;
  SessionPtr last_session_;
  std::shared_ptr<Recorder> recorder_;
};

TEST_F(SessionTest, HandshakeHasExactlyTheFiveKeysAndTheLoopInTheSid) {
  auto r = call("GET", "EIO=4&transport=polling&t=x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->content_type, "text/plain; charset=UTF-8");
  ASSERT_EQ(r->body.substr(0, 9), "0{\"sid\":\"");
  std::string sid = r->body.substr(9, 20);
  EXPECT_EQ(sid[0], 'A');  // loop 0
  EXPECT_EQ(r->body, "0{\"sid\":\"" + sid +
                         "\",\"upgrades\":[\"websocket\"],\"pingInterval\":60,\"pingTimeout\":40,"
                         "\"maxPayload\":1000}");
  EXPECT_EQ(server_->session_count(), 1u);
}

TEST_F(SessionTest, BadRequestsGetTheNodeErrorBodies) {
  auto body = [&](std::string method, std::string q) {
    auto r = call(std::move(method), std::move(q));
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    return r->body;
  };
  EXPECT_EQ(body("GET", "transport=polling"),
            R"({"code":5,"message":"Unsupported protocol version"})");
  EXPECT_EQ(body("GET", "EIO=5&transport=polling"),
            R"({"code":5,"message":"Unsupported protocol version"})");
  EXPECT_EQ(body("GET", "EIO=4"), R"({"code":0,"message":"Transport unknown"})");
  EXPECT_EQ(body("GET", "EIO=4&transport=websocket"), R"({"code":3,"message":"Bad request"})");
  EXPECT_EQ(body("POST", "EIO=4&transport=polling"),
            R"({"code":2,"message":"Bad handshake method"})");
  EXPECT_EQ(body("GET", "EIO=4&transport=polling&sid=nope"),
            R"({"code":1,"message":"Session ID unknown"})");
  EXPECT_EQ(body("GET", "EIO=4&transport=polling&sid=ZZZZZZZZZZZZZZZZZZZZ"),
            R"({"code":1,"message":"Session ID unknown"})");
}

TEST_F(SessionTest, HeldGetIsAnsweredByTheNextPacketsInOneBatch) {
  std::string sid = handshake();
  Captured held;
  EXPECT_FALSE(call("GET", "EIO=4&transport=polling&sid=" + sid, "", &held));
  auto post = call("POST", "EIO=4&transport=polling&sid=" + sid,
                   "4a\x1e"
                   "4b");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->body, "ok");
  EXPECT_EQ(post->content_type, "text/html");
  ASSERT_EQ(recorder_->messages.size(), 2u);
  EXPECT_EQ(recorder_->messages[0].first, "a");
  // The first message answered the held GET; the second waits for the next GET.
  last_session_->send(std::make_shared<const std::string>("4x"), false);
  ASSERT_TRUE(held.response);
  EXPECT_EQ(held.response->body, "4x");
  last_session_->send(std::make_shared<const std::string>("4y"), false);
  last_session_->send(std::make_shared<const std::string>("\x01\x02", 2), true);
  auto get = call("GET", "EIO=4&transport=polling&sid=" + sid);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body,
            "4y\x1e"
            "bAQI=");
  EXPECT_EQ(last_session_->buffered_packets(), 0u);
}

TEST_F(SessionTest, ConcurrentGetsCloseTheSession) {
  std::string sid = handshake();
  Captured held;
  call("GET", "EIO=4&transport=polling&sid=" + sid, "", &held);
  auto second = call("GET", "EIO=4&transport=polling&sid=" + sid);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 400);
  ASSERT_TRUE(held.response);
  EXPECT_EQ(held.response->body, "1");
  EXPECT_EQ(recorder_->close_reason, "transport error");
  EXPECT_EQ(call("GET", "EIO=4&transport=polling&sid=" + sid)->status, 400);
  EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(SessionTest, ClientCloseAnswersTheHeldGetWithNoop) {
  std::string sid = handshake();
  Captured held;
  call("GET", "EIO=4&transport=polling&sid=" + sid, "", &held);
  EXPECT_EQ(call("POST", "EIO=4&transport=polling&sid=" + sid, "1")->body, "ok");
  ASSERT_TRUE(held.response);
  EXPECT_EQ(held.response->body, "6");
  EXPECT_EQ(recorder_->close_reason, "transport close");
}

TEST_F(SessionTest, InvalidPayloadIs400AndClosesTheSession) {
  std::string sid = handshake();
  auto r = call("POST", "EIO=4&transport=polling&sid=" + sid, "abc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(recorder_->close_reason, "parse error");
}

TEST_F(SessionTest, OversizeBodyIs413AndKeepsTheSession) {
  std::string sid = handshake();
  auto r = call("POST", "EIO=4&transport=polling&sid=" + sid, "4" + std::string(1000, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_FALSE(recorder_->close_reason);
  EXPECT_TRUE(last_session_->is_open());
}

TEST_F(SessionTest, V4HeartbeatPingsThenTimesOut) {
  std::string sid = handshake();
  Captured held;
  call("GET", "EIO=4&transport=polling&sid=" + sid, "", &held);
  run_for(40);
  EXPECT_FALSE(held.response) << "no ping before pingInterval";
  run_for(40);
  ASSERT_TRUE(held.response);
  EXPECT_EQ(held.response->body, "2");
  // Pong re-arms the interval.
  call("POST", "EIO=4&transport=polling&sid=" + sid, "3");
  run_for(45);
  EXPECT_TRUE(last_session_->is_open());
  run_for(40);  // ping at 60 ms after the pong, no pong: closed 40 ms later
  run_for(40);
  EXPECT_EQ(recorder_->close_reason, "ping timeout");
  EXPECT_EQ(call("GET", "EIO=4&transport=polling&sid=" + sid)->status, 400);
}

TEST_F(SessionTest, SessionsShareTheLoopsHeartbeatLanesInDeadlineOrder) {
  options_.ping_interval_ms = 200;
  options_.ping_timeout_ms = 150;
  make_server();
  std::string a = handshake();
  auto rec_a = recorder_;
  Captured held_a;
  call("GET", "EIO=4&transport=polling&sid=" + a, "", &held_a);
  run_for(100);
  std::string b = handshake();
  auto rec_b = recorder_;
  Captured held_b;
  call("GET", "EIO=4&transport=polling&sid=" + b, "", &held_b);
  std::string c = handshake();  // closed at once: its lane entry must go with it
  auto rec_c = recorder_;
  call("POST", "EIO=4&transport=polling&sid=" + c, "1");
  EXPECT_EQ(rec_c->close_reason, "transport close");
  run_for(150);  // t = 250: a's ping (due 200) is out, b's (due 300) is not
  ASSERT_TRUE(held_a.response);
  EXPECT_EQ(held_a.response->body, "2");
  EXPECT_FALSE(held_b.response);
  call("POST", "EIO=4&transport=polling&sid=" + a, "3");  // a's next ping: t = 450
  Captured held_a2;
  call("GET", "EIO=4&transport=polling&sid=" + a, "", &held_a2);
  run_for(100);  // t = 350
  ASSERT_TRUE(held_b.response);
  EXPECT_EQ(held_b.response->body, "2");
  EXPECT_FALSE(held_a2.response);
  run_for(150);  // t = 500: b never answered (deadline 450); a was pinged again at 450
  EXPECT_EQ(rec_b->close_reason, "ping timeout");
  EXPECT_FALSE(rec_a->close_reason);
  ASSERT_TRUE(held_a2.response);
  EXPECT_EQ(held_a2.response->body, "2");
  EXPECT_EQ(server_->session_count(), 1u);
}

TEST_F(SessionTest, V4ClientPingIsAProtocolError) {
  std::string sid = handshake();
  call("POST", "EIO=4&transport=polling&sid=" + sid, "2");
  EXPECT_EQ(recorder_->close_reason, "transport error");
}

TEST_F(SessionTest, UpgradeProbeNoopAndSwitch) {
  std::string sid = handshake();
  Captured held;
  call("GET", "EIO=4&transport=polling&sid=" + sid, "", &held);
  auto ws = std::make_shared<FakeWebSocket>();
  last_session_->on_upgrade_socket(ws);
  ws->handlers.on_message("2probe", false);
  ASSERT_EQ(ws->sent.size(), 1u);
  EXPECT_EQ(ws->sent[0].first, "3probe");
  ASSERT_TRUE(held.response);
  EXPECT_EQ(held.response->body, "6");
  // A GET during the upgrade is ended at once.
  auto during = call("GET", "EIO=4&transport=polling&sid=" + sid);
  ASSERT_TRUE(during);
  EXPECT_EQ(during->body, "6");
  last_session_->send(std::make_shared<const std::string>("4queued"), false);
  ws->handlers.on_message("5", false);
  EXPECT_EQ(last_session_->transport(), Session::Transport::WebSocket);
  ASSERT_EQ(ws->sent.size(), 2u);
  EXPECT_EQ(ws->sent[1].first, "4queued");
  ws->handlers.on_message("4hi", false);
  ASSERT_EQ(recorder_->messages.size(), 1u);
  EXPECT_EQ(recorder_->messages[0].first, "hi");
  EXPECT_EQ(call("GET", "EIO=4&transport=polling&sid=" + sid)->status, 400);
  // A further WebSocket for the sid is closed.
  auto ws2 = std::make_shared<FakeWebSocket>();
  last_session_->on_upgrade_socket(ws2);
  EXPECT_TRUE(ws2->closed);
}

TEST_F(SessionTest, WebSocketInvalidPacketCloses) {
  std::string sid = handshake();
  auto ws = std::make_shared<FakeWebSocket>();
  last_session_->on_upgrade_socket(ws);
  ws->handlers.on_message("2probe", false);
  ws->handlers.on_message("5", false);
  ws->handlers.on_message("abc", false);
  EXPECT_EQ(recorder_->close_reason, "parse error");
  EXPECT_TRUE(ws->closed);
}

TEST_F(SessionTest, V3ClientPingsAndServerExpiresWithoutThem) {
  std::string sid = handshake(3);
  auto post = call("POST", "EIO=3&transport=polling&sid=" + sid, "6:2probe");
  EXPECT_EQ(post->body, "ok");
  auto get = call("GET", "EIO=3&transport=polling&sid=" + sid);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "6:3probe");
  run_for(80);
  EXPECT_TRUE(last_session_->is_open());  // 60+40 ms after the last ping
  run_for(40);
  EXPECT_EQ(recorder_->close_reason, "ping timeout");
}

TEST_F(SessionTest, V3UpgradeOwesANoopToTheWebSocketWhenNoGetTookIt) {
  std::string sid = handshake(3);
  auto ws = std::make_shared<FakeWebSocket>();
  last_session_->on_upgrade_socket(ws);
  ws->handlers.on_message("2probe", false);
  ws->handlers.on_message("5", false);
  ASSERT_EQ(ws->sent.size(), 2u);
  EXPECT_EQ(ws->sent[1].first, "6");
  // v3 binary frames carry the type byte.
  last_session_->send(std::make_shared<const std::string>("\x07", 1), true);
  ASSERT_EQ(ws->sent.size(), 3u);
  EXPECT_EQ(ws->sent[2].first, std::string("\x04\x07", 2));
  EXPECT_TRUE(ws->sent[2].second);
  ws->handlers.on_message(std::string("\x04\x09", 2), true);
  ASSERT_EQ(recorder_->messages.size(), 1u);
  EXPECT_EQ(recorder_->messages[0].first, "\x09");
  EXPECT_TRUE(recorder_->messages[0].second);
}

TEST_F(SessionTest, PollingClientThatStopsFetchingIsDropped) {
  handshake();
  for (int i = 0; i < 10 && last_session_->is_open(); ++i)
    last_session_->send(std::make_shared<const std::string>("4" + std::string(500, 'z')), false);
  EXPECT_FALSE(last_session_->is_open());
  EXPECT_EQ(recorder_->close_reason, "transport error");
}

TEST_F(SessionTest, ServerCloseTellsAHeldGet) {
  std::string sid = handshake();
  Captured held;
  call("GET", "EIO=4&transport=polling&sid=" + sid, "", &held);
  last_session_->close();
  ASSERT_TRUE(held.response);
  EXPECT_EQ(held.response->body, "1");
  EXPECT_EQ(recorder_->close_reason, "forced close");
}

}  // namespace
}  // namespace engage::eio
