// Test harness for the application: a ManualClock, a MemoryStore, the fake Socket.IO server,
// a real http::Router, and the Service installed on them; helpers for sockets and REST calls.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/json.h"
#include "engage/service.h"
#include "fakes.h"
#include "http/router.h"
#include "store/memory_store.h"

namespace engage::engage::testing {

// Parses JSON text in a test (a test failure when malformed).
inline json::Value J(std::string_view text) {
  auto v = json::parse(text);
  EXPECT_TRUE(v.has_value()) << "bad JSON in test: " << text;
  return v ? std::move(*v) : json::Value();
}
inline std::string S(const json::Value& v, std::string_view key) {
  const json::Value* f = v.find(key);
  return f && f->is_string() ? f->as_string() : std::string();
}
inline std::vector<std::string> keys(const json::Value& v) {
  std::vector<std::string> out;
  if (v.is_object())
    for (const auto& [k, x] : v.as_object()) out.push_back(k);
  return out;
}

// Concatenates parts (avoids a GCC 12 -Wrestrict false positive on chained operator+).
inline std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

struct RestReply {
  int status = 0;
  json::Value body;
};

class EngageTest : public ::testing::Test {
 protected:
  EngageTest() {
    Clock::install(&clock_);
    MemoryStoreOptionsHolder();
  }
  ~EngageTest() override { Clock::install(nullptr); }

  void MemoryStoreOptionsHolder() {
    store::MemoryStoreOptions o;
    o.clock = &clock_;
    store_ = std::make_unique<store::MemoryStore>(o);
    service_ = std::make_unique<Service>(io_, *store_);
    service_->install(&router_);
  }

  // Connects to nsp as userId (auth {token, userId} like the shipped client).
  FakeSocketPtr user(const std::string& nsp, const std::string& user_id) {
    json::Object auth;
    auth.emplace_back("token", "secret-token-of-" + user_id);
    auth.emplace_back("userId", user_id);
    auto s = io_.connect(nsp, json::Value(std::move(auth)));
    EXPECT_TRUE(s) << "connect refused";
    return s;
  }
  FakeSocketPtr chess(const std::string& u) { return user("/play-along", u); }
  FakeSocketPtr watch(const std::string& u) { return user("/watch-along", u); }
  FakeSocketPtr sing(const std::string& u) { return user("/sing-along", u); }

  void send(const FakeSocketPtr& s, const std::string& event, const char* payload_json) {
    io_.send1(s, event, J(payload_json));
  }
  void send(const FakeSocketPtr& s, const std::string& event, const std::string& payload_json) {
    io_.send1(s, event, J(payload_json));
  }
  void send(const FakeSocketPtr& s, const std::string& event, json::Value payload) {
    io_.send1(s, event, std::move(payload));
  }
  // Returns the last error message the socket received ("" when none) and clears its events.
  std::string last_error(const FakeSocketPtr& s) { return S(s->last("error"), "message"); }

  RestReply rest(const std::string& method, const std::string& path, std::string body = "",
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = method;
    req.target = path;
    req.path = path;
    req.body = std::move(body);
    req.headers = std::move(headers);
    req.headers.emplace_back("content-type", "application/json");
    const http::Handler* h = nullptr;
    RestReply out;
    if (router_.find(req, &h) != http::Router::Match::Found) {
      out.status = 404;
      return out;
    }
    bool answered = false;
    (*h)(req, [&](http::Response r) {
      answered = true;
      out.status = r.status;
      auto v = json::parse(r.body);
      EXPECT_TRUE(v.has_value()) << "REST body is not JSON: " << r.body;
      if (v) out.body = std::move(*v);
    });
    EXPECT_TRUE(answered) << method << " " << path << " never answered";
    return out;
  }

  // Creates a chess room as white and seats black; returns the roomId.
  std::string start_game(const FakeSocketPtr& white, const FakeSocketPtr& black) {
    io_.send(white, "create_chess_room", json::Value::array());
    json::Value room = white->last("room_created");
    json::Object o;
    o.emplace_back("roomCode", S(room, "roomCode"));
    send(black, "join_chess_room", json::Value(std::move(o)));
    return S(room, "roomId");
  }
  // Plays one UCI move from the socket.
  void play(const FakeSocketPtr& s, const std::string& room, const std::string& uci) {
    json::Object o;
    o.emplace_back("roomId", room);
    o.emplace_back("from", uci.substr(0, 2));
    o.emplace_back("to", uci.substr(2, 2));
    if (uci.size() > 4) o.emplace_back("promotion", uci.substr(4));
    send(s, "make_move", json::Value(std::move(o)));
  }
  json::Value stored(const std::string& key) {
    json::Value out;
    store_->get(key, [&](store::Errc e, store::Doc d) {
      if (e == store::Errc::Ok) out = J(d.value);
    });
    return out;
  }

  ManualClock clock_;
  FakeServer io_;
  http::Router router_;
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<Service> service_;
};

}  // namespace engage::engage::testing
