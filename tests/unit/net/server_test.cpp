// HttpServer over real loopback sockets: keep-alive, pipelining, limits, held responses,
// WebSocket frames and close codes, connection limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "net/http_server.h"
#include "net/loops.h"
#include "net/ws_codec.h"
#include "test_client.h"

namespace engage::net {
namespace {

using testing::HttpReply;
using testing::TestClient;
using testing::WsFrame;
using namespace std::chrono_literals;

// Echoes requests ("METHOD path?query|body"), holds GET /hold, echoes WebSocket messages.
class EchoHandler : public HttpHandler {
 public:
  void on_request(http::Request req, std::size_t, http::Respond respond) override {
    http::Response r;
    r.content_type = "text/plain";
    r.body =
        req.method + " " + req.path + (req.query.empty() ? "" : "?" + req.query) + "|" + req.body;
    respond(std::move(r));
  }

  void on_request_watched(http::Request req, std::size_t loop, http::Respond respond,
                          ClientGonePtr gone) override {
    if (req.path == "/hold") {
      gone->on_gone([this] {
        std::lock_guard lock(mu);
        ++gone_count;
        cv.notify_all();
      });
      std::lock_guard lock(mu);
      held.push_back(std::move(respond));
      held_gone.push_back(gone);
      cv.notify_all();
      return;
    }
    on_request(std::move(req), loop, std::move(respond));
  }

  UpgradeDecision on_upgrade(const http::Request& req, std::size_t) override {
    UpgradeDecision d;
    if (req.path == "/refuse") {
      d.status = 403;
      d.body = "refused";
      return d;
    }
    if (req.path == "/listener") {
      d.accepted = [this](WebSocketPtr ws) {
        auto l = std::make_shared<EchoListener>(*this);
        ws->set_listener(l);
        std::lock_guard lock(mu);
        listeners.push_back(std::move(l));
        sockets.push_back(ws);
      };
      return d;
    }
    d.accepted = [this](WebSocketPtr ws) {
      std::weak_ptr<WebSocket> weak = ws;
      ws->set_handlers({[this, weak](std::string_view data, bool binary) {
                          auto self = weak.lock();
                          if (!self) return;
                          {
                            std::lock_guard lock(mu);
                            messages.emplace_back(data);
                          }
                          if (data == "close-me") {
                            self->close(4000);
                          } else if (data == "flood") {
                            auto big = std::make_shared<const std::string>(64 * 1024, 'x');
                            for (int i = 0; i < 200; ++i) self->send(big, true);
                          } else {
                            self->send(std::make_shared<const std::string>(data), binary);
                          }
                        },
                        [this](uint16_t code) {
                          std::lock_guard lock(mu);
                          close_codes.push_back(code);
                          cv.notify_all();
                        }});
      std::lock_guard lock(mu);
      sockets.push_back(ws);
    };
    return d;
  }

  // Waits until pred() holds (under the lock) or 5 s pass.
  template <class P>
  bool wait(P pred) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 5s, pred);
  }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<http::Respond> held;
  std::vector<ClientGonePtr> held_gone;
  int gone_count = 0;
  std::vector<std::string> messages;
  std::vector<uint16_t> close_codes;
  std::vector<WebSocketPtr> sockets;

  // Echoes through WebSocket::set_listener; records which WebSocket each call names.
  class EchoListener final : public WebSocket::Listener {
   public:
    explicit EchoListener(EchoHandler& h) : h_(h) {}
    void on_ws_message(WebSocket& ws, std::string_view data, bool binary) override {
      {
        std::lock_guard lock(h_.mu);
        h_.messages.emplace_back(data);
        named.push_back(&ws);
      }
      ws.send(std::make_shared<const std::string>(data), binary);
    }
    void on_ws_close(WebSocket& ws, uint16_t code) override {
      std::lock_guard lock(h_.mu);
      named.push_back(&ws);
      h_.close_codes.push_back(code);
      h_.cv.notify_all();
    }
    std::vector<WebSocket*> named;

   private:
    EchoHandler& h_;
  };
  std::vector<std::shared_ptr<EchoListener>> listeners;
};

class ServerTest : public ::testing::Test {
 protected:
  void start(HttpOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    loops_.start();
    server_ = std::make_unique<HttpServer>(loops_, o, handler_);
    ASSERT_EQ(server_->listen(), "");
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    server_.reset();
    {
      std::lock_guard lock(handler_.mu);
      handler_.sockets.clear();
      handler_.held.clear();
    }
    loops_.stop();
    loops_.join();
  }
  static std::string get(std::string_view path, std::string_view extra = "") {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
  }

  Loops loops_{2};
  EchoHandler handler_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  TestClient c(port_);
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    std::string path = "/a" + std::to_string(i);
    ASSERT_TRUE(c.send(get(path + "?x=1")));
    HttpReply r = c.read_response();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GET " + path + "?x=1|");
    EXPECT_EQ(r.header("connection"), "keep-alive");
    EXPECT_EQ(r.header("keep-alive"), "timeout=65");
    EXPECT_EQ(r.header("content-type"), "text/plain");
    EXPECT_FALSE(r.header("date").empty());
  }
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  TestClient c(port_);
  std::string all = get("/1") + "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
                    get("/3") +
                    "POST /4 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n";
  ASSERT_TRUE(c.send(all));
  EXPECT_EQ(c.read_response().body, "GET /1|");
  EXPECT_EQ(c.read_response().body, "POST /2|hello");
  EXPECT_EQ(c.read_response().body, "GET /3|");
  EXPECT_EQ(c.read_response().body, "POST /4|abcde");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  start();
  TestClient c(port_);
  ASSERT_TRUE(c.send(get("/x", "Connection: close\r\n")));
  HttpReply r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(ServerTest, Http10ClosesByDefault) {
  start();
  TestClient c(port_);
  ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\n\r\n"));
  HttpReply r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /old|");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(ServerTest, HeadHasNoBody) {
  start();
  TestClient c(port_);
  ASSERT_TRUE(c.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n" + get("/after")));
  ASSERT_TRUE(c.read_until("GET /after|"));
  std::string raw = c.buffered();
  std::size_t end = raw.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_NE(raw.find("Content-Length: 8\r\n"), std::string::npos);  // "HEAD /h|"
  EXPECT_EQ(raw.substr(end + 4, 12), "HTTP/1.1 200");  // no body bytes after the HEAD reply
}

TEST_F(ServerTest, MalformedRequestsGetTheirStatusAndTheServerKeepsServing) {
  HttpOptions o;
  o.max_header_bytes = 1024;
  o.max_uri_bytes = 100;
  o.max_body_bytes = 50;
  start(o);
  struct Case {
    std::string request;
    int status;
  };
  std::vector<Case> cases = {
      {"GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n", 431},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 51\r\n\r\n", 413},
      {"this is not http\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
  };
  for (auto& k : cases) {
    TestClient c(port_);
    ASSERT_TRUE(c.send(k.request));
    HttpReply r = c.read_response();
    EXPECT_EQ(r.status, k.status) << k.request.substr(0, 40);
    EXPECT_EQ(r.header("connection"), "close");
    EXPECT_TRUE(c.wait_closed());
  }
  TestClient ok(port_);
  ASSERT_TRUE(ok.send(get("/still")));
  EXPECT_EQ(ok.read_response().body, "GET /still|");
}

TEST_F(ServerTest, HeldResponseIsAnsweredFromAnotherThread) {
  start();
  TestClient c(port_);
  // A pipelined request behind the held one must wait for it.
  ASSERT_TRUE(c.send(get("/hold") + get("/next")));
  ASSERT_TRUE(handler_.wait([&] { return handler_.held.size() == 1; }));
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard lock(handler_.mu);
    EXPECT_EQ(handler_.held.size(), 1u);  // /next is not delivered while /hold is outstanding
  }
  std::thread t([&] {
    http::Respond r;
    {
      std::lock_guard lock(handler_.mu);
      r = handler_.held[0];
    }
    r(http::Response::json(200, "{\"held\":true}"));
    r(http::Response::json(500, "second call is ignored"));
  });
  t.join();
  HttpReply a = c.read_response();
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "{\"held\":true}");
  EXPECT_EQ(a.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(c.read_response().body, "GET /next|");
  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.gone_count, 0);
}

TEST_F(ServerTest, ClientLeavingAHeldRequestIsNoticed) {
  start();
  {
    TestClient c(port_);
    ASSERT_TRUE(c.send(get("/hold")));
    ASSERT_TRUE(handler_.wait([&] { return handler_.held.size() == 1; }));
  }
  ASSERT_TRUE(handler_.wait([&] { return handler_.gone_count == 1; }));
  http::Respond r;
  ClientGonePtr g;
  {
    std::lock_guard lock(handler_.mu);
    r = handler_.held[0];
    g = handler_.held_gone[0];
  }
  EXPECT_TRUE(g->gone());
  r(http::Response::json(200, "{}"));  // a no-op now
  bool late = false;
  g->on_gone([&] { late = true; });  // already gone: runs at once
  EXPECT_TRUE(late);
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(ServerTest, HeadersTimeoutAnswers408) {
  HttpOptions o;
  o.headers_timeout_ms = 150;
  start(o);
  TestClient c(port_);
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\n"));
  HttpReply r = c.read_response();
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpOptions o;
  o.keep_alive_ms = 150;
  start(o);
  TestClient c(port_);
  ASSERT_TRUE(c.send(get("/x")));
  EXPECT_EQ(c.read_response().status, 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);
}

TEST_F(ServerTest, MaxConnectionsRefusesTheNextOne) {
  HttpOptions o;
  o.max_connections = 2;
  start(o);
  TestClient a(port_), b(port_);
  ASSERT_TRUE(a.send(get("/a")));
  ASSERT_TRUE(b.send(get("/b")));
  EXPECT_EQ(a.read_response().status, 200);
  EXPECT_EQ(b.read_response().status, 200);
  TestClient c(port_);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(server_->refused_count(), 1u);
  EXPECT_EQ(server_->max_connections(), 2u);
}

TEST(ServerDefaults, MaxConnectionsDerivesFromTheFdLimit) {
  Loops loops(1);
  EchoHandler h;
  HttpServer s(loops, HttpOptions{}, h);
  EXPECT_GT(s.max_connections(), 0u);
}

// --- WebSocket ---------------------------------------------------------------------------

TEST_F(ServerTest, WebSocketHandshakeEchoAndClose) {
  start();
  TestClient c(port_);
  HttpReply r = c.upgrade();
  ASSERT_EQ(r.status, 101);
  EXPECT_EQ(r.header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  ASSERT_TRUE(c.send_frame(1, "hello"));
  WsFrame f = c.read_frame();
  EXPECT_EQ(f.opcode, 1);
  EXPECT_EQ(f.payload, "hello");
  ASSERT_TRUE(c.send_frame(2, std::string("\x00\xff", 2)));
  f = c.read_frame();
  EXPECT_EQ(f.opcode, 2);
  EXPECT_EQ(f.payload, std::string("\x00\xff", 2));
  ASSERT_TRUE(c.send_frame(8, ws::close_payload(1000, "bye")));
  f = c.read_frame();
  EXPECT_EQ(f.opcode, 8);
  EXPECT_EQ(f.payload, ws::close_payload(1000));
  EXPECT_TRUE(c.wait_closed());
  ASSERT_TRUE(handler_.wait([&] { return handler_.close_codes.size() == 1; }));
  std::this_thread::sleep_for(20ms);
  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.close_codes, std::vector<uint16_t>{1000});  // exactly once
}

TEST_F(ServerTest, WebSocketListenerGetsMessagesAndOneCloseNamingItsSocket) {
  start();
  TestClient c(port_);
  ASSERT_EQ(c.upgrade("/listener").status, 101);
  ASSERT_TRUE(c.send_frame(1, "via listener"));
  WsFrame f = c.read_frame();
  EXPECT_EQ(f.opcode, 1);
  EXPECT_EQ(f.payload, "via listener");
  ASSERT_TRUE(c.send_frame(8, ws::close_payload(1001)));
  EXPECT_EQ(c.read_frame().opcode, 8);
  EXPECT_TRUE(c.wait_closed());
  ASSERT_TRUE(handler_.wait([&] { return handler_.close_codes.size() == 1; }));
  std::this_thread::sleep_for(20ms);
  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.close_codes, std::vector<uint16_t>{1001});  // exactly once
  ASSERT_EQ(handler_.listeners.size(), 1u);
  ASSERT_EQ(handler_.sockets.size(), 1u);
  EXPECT_EQ(handler_.listeners[0]->named,
            (std::vector<WebSocket*>{handler_.sockets[0].get(), handler_.sockets[0].get()}));
}

TEST_F(ServerTest, WebSocketListenerThatIsGoneHearsNothing) {
  start();
  TestClient c(port_);
  ASSERT_EQ(c.upgrade("/listener").status, 101);
  ASSERT_TRUE(c.send_frame(1, "first"));
  EXPECT_EQ(c.read_frame().payload, "first");
  {
    std::lock_guard lock(handler_.mu);
    handler_.listeners.clear();  // held weakly by the connection: now gone
  }
  ASSERT_TRUE(c.send_frame(1, "dropped"));
  ASSERT_TRUE(c.send_frame(8, ws::close_payload(1000)));
  EXPECT_EQ(c.read_frame().opcode, 8);  // the close handshake still completes
  EXPECT_TRUE(c.wait_closed());
  std::this_thread::sleep_for(50ms);
  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.messages, std::vector<std::string>{"first"});
  EXPECT_TRUE(handler_.close_codes.empty());
}

TEST_F(ServerTest, WebSocketFragmentsWithInterleavedPing) {
  start();
  TestClient c(port_);
  ASSERT_EQ(c.upgrade().status, 101);
  ASSERT_TRUE(c.send_frame(1, "frag", false));
  ASSERT_TRUE(c.send_frame(9, "p1"));
  ASSERT_TRUE(c.send_frame(0, "ment", false));
  ASSERT_TRUE(c.send_frame(0, "ed", true));
  WsFrame pong = c.read_frame();
  EXPECT_EQ(pong.opcode, 10);
  EXPECT_EQ(pong.payload, "p1");
  WsFrame f = c.read_frame();
  EXPECT_EQ(f.opcode, 1);
  EXPECT_EQ(f.payload, "fragmented");
}

TEST_F(ServerTest, WebSocketLargeMessageRoundTrips) {
  start();
  TestClient c(port_);
  ASSERT_EQ(c.upgrade().status, 101);
  std::string big(300000, 'z');
  ASSERT_TRUE(c.send_frame(2, big));
  WsFrame f = c.read_frame();
  EXPECT_EQ(f.opcode, 2);
  EXPECT_EQ(f.payload.size(), big.size());
  EXPECT_EQ(f.payload, big);
}

TEST_F(ServerTest, WebSocketServerInitiatedClose) {
  start();
  TestClient c(port_);
  ASSERT_EQ(c.upgrade().status, 101);
  ASSERT_TRUE(c.send_frame(1, "close-me"));
  WsFrame f = c.read_frame();
  EXPECT_EQ(f.opcode, 8);
  EXPECT_EQ(f.payload, ws::close_payload(4000));
  ASSERT_TRUE(c.send_frame(8, ws::close_payload(4000)));
  EXPECT_TRUE(c.wait_closed());
  ASSERT_TRUE(handler_.wait([&] { return handler_.close_codes.size() == 1; }));
  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.close_codes[0], 4000);
}

struct WsErrorCase {
  const char* name;
  std::string frame;
  uint16_t code;
};

TEST_F(ServerTest, WebSocketProtocolErrorsCloseWithTheirCode) {
  HttpOptions o;
  o.ws_max_message_bytes = 1000;
  start(o);
  std::vector<WsErrorCase> cases = {
      {"too big", ws::encode_client_frame(ws::Opcode::Binary, std::string(1001, 'a'), 7), 1009},
      {"bad utf8", ws::encode_client_frame(ws::Opcode::Text, "\xc3\x28", 7), 1007},
      {"unmasked", ws::encode_frame(ws::Opcode::Text, "hi"), 1002},
      {"rsv bit", ws::encode_client_frame(ws::Opcode::Text, "hi", 7, true, 4), 1002},
      {"bad opcode", ws::encode_client_frame(static_cast<ws::Opcode>(3), "", 7), 1002},
      {"long ping", ws::encode_client_frame(ws::Opcode::Ping, std::string(126, 'p'), 7), 1002},
  };
  for (auto& k : cases) {
    TestClient c(port_);
    ASSERT_EQ(c.upgrade().status, 101) << k.name;
    ASSERT_TRUE(c.send(k.frame));
    WsFrame f = c.read_frame();
    EXPECT_EQ(f.opcode, 8) << k.name;
    EXPECT_EQ(f.payload, ws::close_payload(k.code)) << k.name;
    EXPECT_TRUE(c.wait_closed()) << k.name;
  }
  ASSERT_TRUE(handler_.wait([&] { return handler_.close_codes.size() == cases.size(); }));
  // The connections live on two loops: on_close order across them is not defined.
  std::vector<uint16_t> want;
  for (auto& k : cases) want.push_back(k.code);
  std::lock_guard lock(handler_.mu);
  std::vector<uint16_t> got = handler_.close_codes;
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
}

TEST_F(ServerTest, WebSocketBadUpgradesAre400AndRefusalsKeepTheirStatus) {
  start();
  {
    TestClient c(port_);
    ASSERT_TRUE(
        c.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"));
    HttpReply r = c.read_response();
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.header("sec-websocket-version"), "13");
  }
  {
    TestClient c(port_);
    ASSERT_TRUE(
        c.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n"));
    EXPECT_EQ(c.read_response().status, 400);
  }
  {
    TestClient c(port_);
    ASSERT_TRUE(
        c.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
    EXPECT_EQ(c.read_response().status, 400);  // no Connection: upgrade
  }
  {
    TestClient c(port_);
    HttpReply r = c.upgrade("/refuse");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.body, "refused");
  }
}

TEST_F(ServerTest, CloseAllSendsGoingAway) {
  start();
  TestClient c(port_);
  ASSERT_EQ(c.upgrade().status, 101);
  ASSERT_TRUE(c.send_frame(1, "x"));
  EXPECT_EQ(c.read_frame().payload, "x");
  server_->close_all();
  WsFrame f = c.read_frame();
  EXPECT_EQ(f.opcode, 8);
  EXPECT_EQ(f.payload, ws::close_payload(1001));
}

TEST_F(ServerTest, SlowConsumerIsClosedAndCounted) {
  HttpOptions o;
  o.ws_outbuf_hard_bytes = 256 * 1024;
  start(o);
  TestClient c(port_);
  ASSERT_EQ(c.upgrade().status, 101);
  ASSERT_TRUE(c.send_frame(1, "flood"));
  ASSERT_TRUE(handler_.wait([&] { return handler_.close_codes.size() == 1; }));
  EXPECT_EQ(server_->slow_closed_count(), 1u);
  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.close_codes[0], ws::kClosePolicy);
}

TEST_F(ServerTest, AbruptWebSocketDisconnectReports1006) {
  start();
  {
    TestClient c(port_);
    ASSERT_EQ(c.upgrade().status, 101);
    ASSERT_TRUE(c.send_frame(1, "x"));
    EXPECT_EQ(c.read_frame().payload, "x");
  }
  ASSERT_TRUE(handler_.wait([&] { return handler_.close_codes.size() == 1; }));
  std::lock_guard lock(handler_.mu);
  EXPECT_EQ(handler_.close_codes[0], ws::kCloseAbnormal);
}

}  // namespace
}  // namespace engage::net

namespace engage::net {
namespace {

TEST_F(ServerTest, OneAcceptorDealsConnectionsToEveryLoop) {
  HttpOptions o;
  o.reuse_port = false;
  start(o);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<TestClient>(port_));
    ASSERT_TRUE(clients.back()->send(get("/rr")));
    EXPECT_EQ(clients.back()->read_response().body, "GET /rr|");
  }
  EXPECT_EQ(server_->connection_count(), 6u);
}

TEST_F(ServerTest, PortInUseIsReported) {
  start();
  for (bool reuse : {true, false}) {
    HttpOptions o;
    o.host = "127.0.0.1";
    o.port = port_;
    o.reuse_port = reuse;
    HttpServer second(loops_, o, handler_);
    EXPECT_NE(second.listen(), "") << reuse;
  }
  HttpOptions bad;
  bad.host = "not an address";
  HttpServer third(loops_, bad, handler_);
  EXPECT_NE(third.listen(), "");
}

TEST_F(ServerTest, StopAcceptingKeepsExistingConnections) {
  start();
  TestClient a(port_);
  ASSERT_TRUE(a.send(get("/before")));
  EXPECT_EQ(a.read_response().status, 200);
  server_->stop_accepting();
  // The listeners close on their loops: soon nothing accepts any more.
  bool refused = false;
  for (int i = 0; i < 40 && !refused; ++i) {
    std::this_thread::sleep_for(25ms);
    TestClient b(port_, 500);
    refused = !b.connected() || !b.send(get("/after")) || b.read_response().status == 0;
  }
  EXPECT_TRUE(refused);
  ASSERT_TRUE(a.send(get("/still")));
  EXPECT_EQ(a.read_response().body, "GET /still|");
}

TEST_F(ServerTest, FramesSentWithTheUpgradeRequestAreNotLost) {
  start();
  TestClient c(port_);
  std::string req =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  req += ws::encode_client_frame(ws::Opcode::Text, "early", 99);
  ASSERT_TRUE(c.send(req));
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  std::string& buf = c.buffered();
  ASSERT_EQ(buf.rfind("HTTP/1.1 101", 0), 0u);
  buf.erase(0, buf.find("\r\n\r\n") + 4);
  WsFrame f = c.read_frame();
  EXPECT_EQ(f.payload, "early");
}

TEST_F(ServerTest, RespondFromTheOtherLoopThenKeepGoing) {
  start();
  TestClient c(port_);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(c.send(get("/hold")));
    ASSERT_TRUE(handler_.wait([&] { return handler_.held.size() == 1; }));
    http::Respond r;
    {
      std::lock_guard lock(handler_.mu);
      r = std::move(handler_.held[0]);
      handler_.held.clear();
    }
    // Answer on each loop in turn (one of them is not the connection's).
    loops_.post(static_cast<std::size_t>(round) % loops_.size(),
                [r, round] { r(http::Response::json(200, std::to_string(round))); });
    EXPECT_EQ(c.read_response().body, std::to_string(round));
  }
}

TEST_F(ServerTest, SoftOutputLimitClosesAfterItsDelay) {
  HttpOptions o;
  o.ws_outbuf_soft_bytes = 64 * 1024;
  o.ws_outbuf_soft_ms = 100;
  o.ws_outbuf_hard_bytes = 1u << 30;
  start(o);
  TestClient c(port_);
  ASSERT_EQ(c.upgrade().status, 101);
  ASSERT_TRUE(c.send_frame(1, "flood"));  // 12.5 MiB the client never reads
  ASSERT_TRUE(handler_.wait([&] { return handler_.close_codes.size() == 1; }));
  EXPECT_EQ(server_->slow_closed_count(), 1u);
}

}  // namespace
}  // namespace engage::net

namespace engage::net {
namespace {

TEST_F(ServerTest, ExpectContinueGetsAnInterimResponse) {
  start();
  TestClient c(port_);
  ASSERT_TRUE(
      c.send("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  EXPECT_EQ(c.buffered(), "HTTP/1.1 100 Continue\r\n\r\n");
  c.buffered().clear();
  ASSERT_TRUE(c.send("data"));
  EXPECT_EQ(c.read_response().body, "POST /up|data");
}

}  // namespace
}  // namespace engage::net

namespace engage::net {
namespace {

TEST_F(ServerTest, ErrorResponseSurvivesABodyStillArriving) {
  HttpOptions o;
  o.max_body_bytes = 10;
  start(o);
  TestClient c(port_);
  // 413 is decided from the headers; the 2 MB that follow must not turn it into a reset.
  std::string req = "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n";
  req += std::string(2000000, 'b');
  std::thread writer([&] { c.send(req); });
  HttpReply r = c.read_response();
  writer.join();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("connection"), "close");
}

TEST_F(ServerTest, PipelinedBacklogBehindAHeldRequestIsBounded) {
  HttpOptions o;
  o.max_header_bytes = 1024;
  start(o);
  TestClient c(port_);
  ASSERT_TRUE(c.send(get("/hold")));
  ASSERT_TRUE(handler_.wait([&] { return handler_.held.size() == 1; }));
  // 200 KB of pipelined requests: the server stops reading past its cap instead of buffering.
  std::string many;
  for (int i = 0; i < 4000; ++i) many += get("/p" + std::to_string(i));
  std::thread writer([&] { c.send(many); });
  std::this_thread::sleep_for(100ms);
  http::Respond r;
  {
    std::lock_guard lock(handler_.mu);
    r = handler_.held[0];
  }
  r(http::Response::json(200, "held"));
  EXPECT_EQ(c.read_response().body, "held");
  for (int i = 0; i < 4000; ++i) {
    HttpReply p = c.read_response();
    ASSERT_EQ(p.body, "GET /p" + std::to_string(i) + "|") << i;
  }
  writer.join();
}

}  // namespace
}  // namespace engage::net
