// In-memory sio::Server / sio::Socket fakes for the application's unit tests: handlers run
// inline, emits and broadcasts are recorded per socket. Thread-safe enough for race tests.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "socketio/server.h"

namespace engage::engage::testing {

class FakeServer;

class FakeSocket final : public sio::Socket {
 public:
  FakeSocket(FakeServer& server, std::string id, std::string nsp, sio::Handshake hs)
      : server_(server), id_(std::move(id)), nsp_(std::move(nsp)), hs_(std::move(hs)) {}

  const std::string& id() const override { return id_; }
  const std::string& nsp() const override { return nsp_; }
  const sio::Handshake& handshake() const override { return hs_; }
  std::size_t loop() const override { return 0; }
  bool connected() const override { return connected_; }
  void dispatch(std::function<void()> fn) override { fn(); }
  void emit(std::string_view event, json::Value args) override {
    std::lock_guard lock(mu_);
    json::Value payload =
        args.is_array() && !args.as_array().empty() ? args.as_array()[0] : json::Value();
    got_.emplace_back(std::string(event), std::move(payload));
  }
  void join(const std::string& room) override;
  void leave(const std::string& room) override;
  const std::vector<std::string>& rooms() const override { return rooms_; }
  void disconnect(bool) override;

  // Returns every event received so far (event, first argument).
  std::vector<std::pair<std::string, json::Value>> events() {
    std::lock_guard lock(mu_);
    return got_;
  }
  // Returns the payloads of every `event` received, in order.
  std::vector<json::Value> all(std::string_view event) {
    std::vector<json::Value> out;
    for (auto& [e, p] : events())
      if (e == event) out.push_back(p);
    return out;
  }
  std::size_t count(std::string_view event) { return all(event).size(); }
  // Returns the last payload of `event` (null when none).
  json::Value last(std::string_view event) {
    auto a = all(event);
    return a.empty() ? json::Value() : a.back();
  }
  void clear() {
    std::lock_guard lock(mu_);
    got_.clear();
  }
  bool in(const std::string& room);

  bool connected_ = true;

 private:
  friend class FakeServer;
  FakeServer& server_;
  std::string id_, nsp_;
  sio::Handshake hs_;
  std::vector<std::string> rooms_;
  std::mutex mu_;
  std::vector<std::pair<std::string, json::Value>> got_;
};
using FakeSocketPtr = std::shared_ptr<FakeSocket>;

class FakeServer final : public sio::Server {
 public:
  void add_namespace(const std::string& name, sio::NamespaceHandlers h) override {
    nsps_[name] = std::move(h);
  }
  void broadcast(const sio::BroadcastTarget& to, std::string_view event,
                 const json::Value& args) override {
    std::vector<FakeSocketPtr> targets;
    {
      std::lock_guard lock(mu_);
      for (auto& s : sockets_) {
        if (s->nsp() != to.nsp || !s->connected_) continue;
        bool in_room = to.rooms.empty();
        for (const auto& r : to.rooms)
          for (const auto& mine : s->rooms_) in_room = in_room || mine == r;
        bool excepted = false;
        for (const auto& e : to.except) excepted = excepted || e == s->id();
        if (in_room && !excepted) targets.push_back(s);
      }
    }
    for (auto& s : targets) s->emit(event, args);
  }
  void deliver_remote(const sio::BroadcastTarget&, std::shared_ptr<const std::vector<std::string>>,
                      bool) override {}
  void set_adapter(std::shared_ptr<sio::Adapter>) override {}
  std::size_t socket_count() const override { return sockets_.size(); }

  // Connects a socket to `nsp` with handshake auth `auth`; nullopt + error when refused.
  FakeSocketPtr connect(const std::string& nsp, json::Value auth = json::Value::object(),
                        std::string* error = nullptr) {
    auto it = nsps_.find(nsp);
    if (it == nsps_.end()) {
      if (error) *error = "Invalid namespace";
      return nullptr;
    }
    sio::Handshake hs;
    hs.auth = std::move(auth);
    auto s = std::make_shared<FakeSocket>(*this, "sock" + std::to_string(++next_id_), nsp, hs);
    std::optional<sio::ConnectError> refused;
    bool decided = false;
    if (it->second.middleware)
      it->second.middleware(s, [&](std::optional<sio::ConnectError> e) {
        refused = std::move(e);
        decided = true;
      });
    else
      decided = true;
    if (!decided || refused) {
      if (error) *error = refused ? refused->message : "undecided";
      return nullptr;
    }
    {
      std::lock_guard lock(mu_);
      sockets_.push_back(s);
    }
    if (it->second.on_connect) it->second.on_connect(s);
    return s;
  }
  // Delivers a client event with the given argument array (and an optional ack).
  void send(const FakeSocketPtr& s, const std::string& event, json::Value args,
            sio::AckFn ack = {}) {
    auto it = nsps_.find(s->nsp());
    if (it != nsps_.end() && it->second.on_event)
      it->second.on_event(s, event, std::move(args), std::move(ack));
  }
  // Delivers a client event with one payload.
  void send1(const FakeSocketPtr& s, const std::string& event, json::Value payload) {
    json::Array a;
    a.push_back(std::move(payload));
    send(s, event, json::Value(std::move(a)));
  }
  void drop(const FakeSocketPtr& s, std::string_view reason = "transport close") {
    if (!s->connected_) return;
    s->connected_ = false;
    auto it = nsps_.find(s->nsp());
    if (it != nsps_.end() && it->second.on_disconnect) it->second.on_disconnect(s, reason);
    std::lock_guard lock(mu_);
    s->rooms_.clear();
    std::erase(sockets_, s);
  }

  std::mutex mu_;

 private:
  std::map<std::string, sio::NamespaceHandlers> nsps_;
  std::vector<FakeSocketPtr> sockets_;
  std::atomic<int> next_id_{0};
};

inline void FakeSocket::join(const std::string& room) {
  std::lock_guard lock(server_.mu_);
  for (const auto& r : rooms_)
    if (r == room) return;
  rooms_.push_back(room);
}
inline void FakeSocket::leave(const std::string& room) {
  std::lock_guard lock(server_.mu_);
  std::erase(rooms_, room);
}
inline bool FakeSocket::in(const std::string& room) {
  std::lock_guard lock(server_.mu_);
  for (const auto& r : rooms_)
    if (r == room) return true;
  return false;
}
inline void FakeSocket::disconnect(bool) {
  auto self = std::static_pointer_cast<FakeSocket>(shared_from_this());
  server_.drop(self, "server namespace disconnect");
}

}  // namespace engage::engage::testing
