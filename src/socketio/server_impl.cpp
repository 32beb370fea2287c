// Socket.IO server: clients per Engine.IO session, namespace sockets, rooms, acks, broadcasts.
#include "socketio/server_impl.h"

#include <algorithm>
#include <utility>

#include "core/clock.h"
#include "core/random.h"
#include "engineio/session.h"
#include "net/loops.h"
#include "socketio/wire.h"

namespace engage::sio {

namespace {

constexpr std::size_t kSocketIdLength = 20;

// Shares element `i` of a frame vector without copying it.
std::shared_ptr<const std::string> frame_at(
    const std::shared_ptr<const std::vector<std::string>>& f, std::size_t i) {
  return std::shared_ptr<const std::string>(f, &(*f)[i]);
}

}  // namespace

// =============================================================================================
// Client: one Engine.IO session and the namespace sockets multiplexed over it.

class SocketImpl;

// The namespace sockets of one client in connection order: almost always one, kept inline (no
// heap block for it); further ones in a vector.
class SocketList {
 public:
  using Ptr = std::shared_ptr<SocketImpl>;
  void add(Ptr p) {
    if (!first_)
      first_ = std::move(p);
    else
      more_.push_back(std::move(p));
  }
  void remove(const SocketImpl* s) {
    if (first_.get() == s) {
      first_.reset();
      if (!more_.empty()) {
        first_ = std::move(more_.front());
        more_.erase(more_.begin());
      }
      return;
    }
    auto it = std::find_if(more_.begin(), more_.end(), [s](const Ptr& p) { return p.get() == s; });
    if (it != more_.end()) more_.erase(it);
  }
  // Returns the first socket for which pred holds, or nullptr.
  template <class Pred>
  SocketImpl* find(Pred pred) const {
    if (first_ && pred(*first_)) return first_.get();
    for (const auto& p : more_)
      if (pred(*p)) return p.get();
    return nullptr;
  }
  // Empties the list, returning its sockets in order.
  std::vector<Ptr> take() {
    std::vector<Ptr> out;
    if (first_) out.push_back(std::move(first_));
    for (auto& p : more_) out.push_back(std::move(p));
    first_.reset();
    std::vector<Ptr>().swap(more_);
    return out;
  }

 private:
  Ptr first_;
  std::vector<Ptr> more_;
};

class Client final : public eio::SessionHandler, public std::enable_shared_from_this<Client> {
 public:
  Client(ServerImpl& server, eio::SessionPtr session, Handshake base)
      : server_(server),
        session_(std::move(session)),
        base_(std::move(base)),
        decoder_(server.options().max_attachments, session_->protocol() == 3) {}

  void start();
  void on_message(std::string_view data, bool binary) override;
  void on_close(std::string_view reason) override;

  // Sends one encoded packet (text without the Engine.IO "4", then its attachments).
  void send_encoded(const wire::Encoded& e);
  void send_frames(const std::shared_ptr<const std::vector<std::string>>& frames, bool has_binary);
  void remove_socket(SocketImpl* s);
  void close_connection(std::string_view reason) {
    if (session_ && session_->is_open()) session_->close(reason);
  }
  int protocol() const { return session_ ? session_->protocol() : 4; }
  std::size_t loop() const { return loop_; }

 private:
  void on_packet(wire::Packet& p);
  void on_connect(const std::string& nsp_name, json::Value auth);
  void connect_admitted(const std::shared_ptr<SocketImpl>& s);
  SocketImpl* socket_of(const std::string& nsp);

  ServerImpl& server_;
  eio::SessionPtr session_;
  // The handshake of the connection, inside the client's own allocation; the first namespace
  // socket shares it (with its auth) through an aliasing pointer, later ones get a copy, so a
  // client on one namespace stores its headers once and allocates nothing for them.
  Handshake base_;
  wire::Decoder decoder_;
  SocketList sockets_;  // connected (and connecting) namespaces
  std::unique_ptr<eio::Timer> connect_timer_;
  uint32_t loop_ = 0;
  bool base_shared_ = false;
  bool closed_ = false;
};

// =============================================================================================
// SocketImpl: one namespace socket.

class SocketImpl final : public Socket {
 public:
  SocketImpl(ServerImpl& server, ServerImpl::Namespace& nsp, std::shared_ptr<Client> client,
             std::string id, std::shared_ptr<const Handshake> hs)
      : nsp_(nsp),
        client_(std::move(client)),
        id_(std::move(id)),
        hs_(std::move(hs)),
        loop_(static_cast<uint32_t>(client_->loop())) {
    (void)server;  // reached through nsp_.server (one pointer less per socket)
  }

  const std::string& id() const override { return id_; }
  const std::string& nsp() const override { return nsp_.name; }
  const Handshake& handshake() const override { return *hs_; }
  std::size_t loop() const override { return loop_; }
  bool connected() const override { return connected_.load(std::memory_order_acquire); }
  void dispatch(std::function<void()> fn) override {
    server().loops().dispatch(loop_, std::move(fn));
  }

  void emit(std::string_view event, json::Value args) override {
    if (!connected()) return;
    json::Value packet = json::Value::array();
    packet.push_back(json::Value(event));
    if (args.is_array())
      for (auto& a : args.as_array()) packet.push_back(std::move(a));
    send(wire::encode(wire::Type::Event, nsp_.name, std::nullopt, &packet));
  }
  void join(const std::string& room) override {
    if (!connected()) return;
    if (!rooms_) rooms_ = std::make_unique<std::vector<std::string>>();
    if (std::find(rooms_->begin(), rooms_->end(), room) != rooms_->end()) return;
    rooms_->push_back(room);
    server().room_joined(nsp_, *this, room);
  }
  void leave(const std::string& room) override {
    if (!rooms_) return;
    auto it = std::find(rooms_->begin(), rooms_->end(), room);
    if (it == rooms_->end()) return;
    rooms_->erase(it);
    if (rooms_->empty()) rooms_.reset();
    server().room_left(nsp_, *this, room);
  }
  const std::vector<std::string>& rooms() const override {
    static const std::vector<std::string> kNone;
    return rooms_ ? *rooms_ : kNone;
  }
  void disconnect(bool close_connection) override {
    if (!connected()) return;
    auto self = std::static_pointer_cast<SocketImpl>(shared_from_this());
    send(wire::encode(wire::Type::Disconnect, nsp_.name, std::nullopt, nullptr));
    auto client = client_;
    closed("server namespace disconnect");
    if (close_connection && client) client->close_connection("forced close");
  }

  // ---- used by Client ----
  void send(const wire::Encoded& e) {
    if (client_) client_->send_encoded(e);
  }
  void send_frames(const std::shared_ptr<const std::vector<std::string>>& f, bool has_binary) {
    if (client_ && connected()) client_->send_frames(f, has_binary);
  }
  void mark_connected() {
    connected_.store(true, std::memory_order_release);
    server().socket_added(nsp_, *this);
  }
  // Leaves every room, unregisters, and tells the handlers once. Safe to call twice.
  void closed(std::string_view reason) {
    // The client may hold the last reference: keep this socket alive until the end.
    auto self = std::static_pointer_cast<SocketImpl>(shared_from_this());
    bool was = connected_.exchange(false, std::memory_order_acq_rel);
    auto client = std::move(client_);
    client_.reset();
    if (client) client->remove_socket(this);
    if (!was) return;
    while (rooms_ && !rooms_->empty()) {
      std::string room = std::move(rooms_->back());
      rooms_->pop_back();
      server().room_left(nsp_, *this, room);
    }
    rooms_.reset();
    server().socket_removed(nsp_, *this);
    if (nsp_.handlers.on_disconnect) nsp_.handlers.on_disconnect(self, reason);
  }
  void detach_client() { client_.reset(); }
  ServerImpl::Namespace& nsp_ref() { return nsp_; }
  bool has_client() const { return client_ != nullptr; }

 private:
  ServerImpl& server() const { return *nsp_.server; }

  ServerImpl::Namespace& nsp_;
  std::shared_ptr<Client> client_;  // reset when the socket leaves (breaks the cycle)
  std::string id_;
  std::shared_ptr<const Handshake> hs_;
  // Allocated on the first join and freed when the last room is left: a socket in no room (an
  // idle client) holds no room storage.
  std::unique_ptr<std::vector<std::string>> rooms_;
  uint32_t loop_;
  std::atomic<bool> connected_{false};
};

// ---------------------------------------------------------------------------------------------
// Client implementation

void Client::start() {
  loop_ = static_cast<uint32_t>(session_->loop());
  connect_timer_ = std::make_unique<eio::Timer>(server_.loops().context(loop_).get_executor());
  connect_timer_->expires_after(std::chrono::milliseconds(server_.options().connect_timeout_ms));
  std::weak_ptr<Client> weak = shared_from_this();
  connect_timer_->async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    auto c = weak.lock();
    if (!c || c->closed_) return;
    c->connect_timer_.reset();
    bool any = c->sockets_.find([](const SocketImpl& s) { return s.connected(); }) != nullptr;
    if (!any) c->close_connection("forced close");
  });
  // EIO3 (socket.io v4 protocol) clients are connected to "/" implicitly.
  if (session_->protocol() == 3) on_connect("/", json::Value::object());
}

void Client::send_encoded(const wire::Encoded& e) {
  if (!session_ || !session_->is_open()) return;
  auto text = std::make_shared<std::string>();
  text->reserve(e.text.size() + 1);
  text->push_back('4');
  text->append(e.text);
  session_->send(std::move(text), false);
  for (const auto& a : e.attachments) session_->send(std::make_shared<const std::string>(a), true);
}

void Client::send_frames(const std::shared_ptr<const std::vector<std::string>>& frames,
                         bool has_binary) {
  if (!session_ || !session_->is_open() || frames->empty()) return;
  session_->send(frame_at(frames, 0), false);
  if (has_binary)
    for (std::size_t i = 1; i < frames->size(); ++i) session_->send(frame_at(frames, i), true);
}

void Client::remove_socket(SocketImpl* s) {
  sockets_.remove(s);
}

SocketImpl* Client::socket_of(const std::string& nsp) {
  return sockets_.find([&nsp](const SocketImpl& s) { return s.nsp() == nsp; });
}

void Client::on_message(std::string_view data, bool binary) {
  if (closed_) return;
  wire::Packet p;
  wire::DecodeStatus st = binary ? decoder_.feed_binary(data, p) : decoder_.feed_text(data, p);
  if (st == wire::DecodeStatus::NeedMore) return;
  if (st == wire::DecodeStatus::Error) {
    close_connection("parse error");
    return;
  }
  on_packet(p);
}

void Client::on_packet(wire::Packet& p) {
  std::string nsp = std::move(p.nsp);
  json::Value query_auth;
  if (protocol() == 3) {
    // socket.io v4 protocol: the namespace may carry a query string, which is the auth.
    if (!p.query.empty()) query_auth = wire::query_to_object(p.query);
    auto q = nsp.find('?');
    if (q != std::string::npos) {
      if (query_auth.is_null())
        query_auth = wire::query_to_object(std::string_view(nsp).substr(q + 1));
      nsp.resize(q);
    }
  }
  if (p.type == wire::Type::Connect) {
    json::Value auth;
    if (protocol() == 3)
      auth = query_auth.is_object() ? std::move(query_auth) : json::Value::object();
    else
      auth = p.data ? std::move(*p.data) : json::Value::object();
    on_connect(nsp, std::move(auth));
    return;
  }
  SocketImpl* s = socket_of(nsp);
  if (!s || !s->connected()) {
    close_connection("parse error");  // a packet for a namespace the client has not joined
    return;
  }
  switch (p.type) {
    case wire::Type::Disconnect:
      s->closed("client namespace disconnect");
      return;
    case wire::Type::Event:
    case wire::Type::BinaryEvent: {
      auto& args = p.data->as_array();
      std::string event = args[0].is_string() ? args[0].as_string() : args[0].dump();
      json::Value rest = json::Value::array();
      for (std::size_t i = 1; i < args.size(); ++i) rest.push_back(std::move(args[i]));
      AckFn ack;
      if (p.id) {
        std::weak_ptr<Socket> weak = s->shared_from_this();
        uint64_t id = *p.id;
        auto done = std::make_shared<bool>(false);
        ack = [weak, id, done](json::Value ack_args) {
          if (*done) return;
          *done = true;
          auto sock = std::static_pointer_cast<SocketImpl>(weak.lock());
          if (!sock || !sock->connected()) return;
          if (!ack_args.is_array()) {
            json::Value a = json::Value::array();
            a.push_back(std::move(ack_args));
            ack_args = std::move(a);
          }
          sock->send(wire::encode(wire::Type::Ack, sock->nsp(), id, &ack_args));
        };
      }
      auto& handlers = s->nsp_ref().handlers;
      if (handlers.on_event) {
        auto self = std::static_pointer_cast<SocketImpl>(s->shared_from_this());
        handlers.on_event(self, event, std::move(rest), std::move(ack));
      }
      return;
    }
    default:
      return;  // ACKs from the client (we never ask for one) and CONNECT_ERROR are ignored
  }
}

void Client::on_connect(const std::string& nsp_name, json::Value auth) {
  ServerImpl::Namespace* nsp = server_.find_namespace(nsp_name);
  if (!nsp) {
    json::Value err = json::Value::object();
    err.set("message", json::Value("Invalid namespace"));
    send_encoded(wire::encode(wire::Type::ConnectError, nsp_name, std::nullopt, &err));
    return;
  }
  if (socket_of(nsp_name)) {
    close_connection("parse error");  // CONNECT twice to one namespace
    return;
  }
  std::shared_ptr<const Handshake> hs;
  if (!base_shared_) {
    base_.auth = std::move(auth);
    base_shared_ = true;
    hs = std::shared_ptr<const Handshake>(shared_from_this(), &base_);
  } else {
    auto copy = std::make_shared<Handshake>(base_);
    copy->auth = std::move(auth);
    hs = std::move(copy);
  }
  std::string id;
  if (protocol() == 3)
    id = nsp_name == "/" ? std::string(session_->sid())
                         : nsp_name + "#" + std::string(session_->sid());
  else
    id = random_id(kSocketIdLength);
  auto s =
      std::make_shared<SocketImpl>(server_, *nsp, shared_from_this(), std::move(id), std::move(hs));
  sockets_.add(s);
  if (!nsp->handlers.middleware) {
    connect_admitted(s);
    return;
  }
  std::weak_ptr<SocketImpl> weak = s;
  std::weak_ptr<Client> weak_client = shared_from_this();
  auto done_once = std::make_shared<bool>(false);
  nsp->handlers.middleware(s, [weak, weak_client, done_once](std::optional<ConnectError> err) {
    if (*done_once) return;
    *done_once = true;
    auto sock = weak.lock();
    auto client = weak_client.lock();
    if (!sock || !client || client->closed_ || !sock->has_client()) return;
    if (!err) {
      client->connect_admitted(sock);
      return;
    }
    client->remove_socket(sock.get());
    sock->detach_client();
    json::Value payload;
    if (client->protocol() == 3) {
      payload = json::Value(err->message);  // v4 protocol: the error is a bare string
    } else {
      payload = json::Value::object();
      payload.set("message", json::Value(err->message));
      if (err->data) payload.set("data", *err->data);
    }
    client->send_encoded(
        wire::encode(wire::Type::ConnectError, sock->nsp(), std::nullopt, &payload));
  });
}

void Client::connect_admitted(const std::shared_ptr<SocketImpl>& s) {
  if (closed_) return;
  if (connect_timer_) {
    connect_timer_->cancel();
    connect_timer_.reset();
  }
  s->mark_connected();
  if (protocol() == 3) {
    send_encoded(wire::encode(wire::Type::Connect, s->nsp(), std::nullopt, nullptr));
  } else {
    json::Value data = json::Value::object();
    data.set("sid", json::Value(s->id()));
    send_encoded(wire::encode(wire::Type::Connect, s->nsp(), std::nullopt, &data));
  }
  auto& handlers = s->nsp_ref().handlers;
  if (handlers.on_connect) handlers.on_connect(s);
}

void Client::on_close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  if (connect_timer_) connect_timer_->cancel();
  connect_timer_.reset();
  auto self = shared_from_this();
  auto sockets = sockets_.take();
  for (auto& s : sockets) s->closed(reason);
  session_.reset();
}

// =============================================================================================
// ServerImpl

ServerImpl::ServerImpl(net::Loops& loops, ServerOptions options)
    : loops_(loops), options_(options) {
  add_namespace("/", {});
}

ServerImpl::~ServerImpl() = default;

eio::OpenCallback ServerImpl::open_callback() {
  return [this](const eio::SessionPtr& session, const http::Request& req) {
    Handshake base(req.remote_address, req.target, req.headers);
    base.eio = session->protocol();
    base.time_ms = Clock::get().now_ms();
    auto client = std::make_shared<Client>(*this, session, std::move(base));
    session->set_handler(client);
    client->start();
  };
}

void ServerImpl::add_namespace(const std::string& name, NamespaceHandlers handlers) {
  auto& slot = namespaces_[name];
  if (!slot) {
    slot = std::make_unique<Namespace>();
    slot->server = this;
    slot->name = name;
    for (std::size_t i = 0; i < loops_.size(); ++i)
      slot->loops.push_back(std::make_unique<NspLoop>());
  }
  slot->handlers = std::move(handlers);
}

ServerImpl::Namespace* ServerImpl::find_namespace(const std::string& name) {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ServerImpl::namespace_names() const {
  std::vector<std::string> names;
  for (const auto& [name, nsp] : namespaces_) names.push_back(name);
  return names;
}

std::size_t ServerImpl::NspLoop::ById::operator()(std::string_view id) const {
  return std::hash<std::string_view>()(id);
}
std::size_t ServerImpl::NspLoop::ById::operator()(const SocketImpl* s) const {
  return (*this)(std::string_view(s->id()));
}
bool ServerImpl::NspLoop::ById::operator()(const SocketImpl* a, const SocketImpl* b) const {
  return a->id() == b->id();
}
bool ServerImpl::NspLoop::ById::operator()(std::string_view a, const SocketImpl* b) const {
  return a == b->id();
}
bool ServerImpl::NspLoop::ById::operator()(const SocketImpl* a, std::string_view b) const {
  return a->id() == b;
}

void ServerImpl::socket_added(Namespace& nsp, SocketImpl& s) {
  auto& sockets = nsp.loops[s.loop()]->sockets;
  auto it = sockets.find(std::string_view(s.id()));
  if (it != sockets.end()) sockets.erase(it);  // an id already taken: the newcomer replaces it
  sockets.insert(&s);
  socket_count_.fetch_add(1, std::memory_order_relaxed);
}

void ServerImpl::socket_removed(Namespace& nsp, SocketImpl& s) {
  auto& sockets = nsp.loops[s.loop()]->sockets;
  auto it = sockets.find(std::string_view(s.id()));
  if (it != sockets.end() && *it == &s) {
    sockets.erase(it);
    socket_count_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void ServerImpl::room_joined(Namespace& nsp, SocketImpl& s, const std::string& room) {
  auto& members = nsp.loops[s.loop()]->rooms[room];
  members.insert(&s);
  if (members.size() == 1 && adapter_) {
    bool first = false;
    {
      std::lock_guard lock(rooms_mutex_);
      first = ++room_loops_[nsp.name + '\0' + room] == 1;
    }
    if (first) adapter_->room_opened(nsp.name, room);
  }
}

void ServerImpl::room_left(Namespace& nsp, SocketImpl& s, const std::string& room) {
  auto& rooms = nsp.loops[s.loop()]->rooms;
  auto it = rooms.find(room);
  if (it == rooms.end()) return;
  it->second.erase(&s);
  if (!it->second.empty()) return;
  rooms.erase(it);
  if (adapter_) {
    bool last = false;
    {
      std::lock_guard lock(rooms_mutex_);
      auto key = nsp.name + '\0' + room;
      auto c = room_loops_.find(key);
      if (c != room_loops_.end() && --c->second == 0) {
        room_loops_.erase(c);
        last = true;
      }
    }
    if (last) adapter_->room_closed(nsp.name, room);
  }
}

void ServerImpl::set_adapter(std::shared_ptr<Adapter> adapter) {
  adapter_ = std::move(adapter);
}

void ServerImpl::broadcast(const BroadcastTarget& to, std::string_view event,
                           const json::Value& args) {
  json::Value data = json::Value::array();
  data.push_back(json::Value(event));
  if (args.is_array())
    for (const auto& a : args.as_array()) data.push_back(a);
  wire::Encoded e = wire::encode(wire::Type::Event, to.nsp, std::nullopt, &data);
  auto frames = std::make_shared<std::vector<std::string>>();
  frames->reserve(1 + e.attachments.size());
  frames->push_back("4" + e.text);
  for (auto& a : e.attachments) frames->push_back(std::move(a));
  bool has_binary = frames->size() > 1;
  std::shared_ptr<const std::vector<std::string>> shared = std::move(frames);
  if (adapter_) adapter_->publish(to, shared, has_binary);
  deliver_local(to, std::move(shared), has_binary);
}

void ServerImpl::deliver_remote(const BroadcastTarget& to,
                                std::shared_ptr<const std::vector<std::string>> frames,
                                bool has_binary) {
  deliver_local(to, std::move(frames), has_binary);
}

void ServerImpl::deliver_local(const BroadcastTarget& to,
                               std::shared_ptr<const std::vector<std::string>> frames,
                               bool has_binary) {
  if (!find_namespace(to.nsp) || !frames || frames->empty()) return;
  auto target = std::make_shared<const BroadcastTarget>(to);
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    loops_.dispatch(i, [this, i, target, frames, has_binary] {
      deliver_on_loop(i, *target, frames, has_binary);
    });
  }
}

void ServerImpl::deliver_on_loop(std::size_t loop, const BroadcastTarget& to,
                                 const std::shared_ptr<const std::vector<std::string>>& frames,
                                 bool has_binary) {
  Namespace* nsp = find_namespace(to.nsp);
  if (!nsp) return;
  NspLoop& nl = *nsp->loops[loop];
  auto excluded = [&](SocketImpl* s) {
    if (to.except.empty()) return false;
    for (const auto& e : to.except) {
      if (e == s->id()) return true;
      if (std::find(s->rooms().begin(), s->rooms().end(), e) != s->rooms().end()) return true;
    }
    return false;
  };
  std::vector<std::shared_ptr<Socket>> targets;  // kept alive while sending
  if (to.rooms.empty()) {
    targets.reserve(nl.sockets.size());
    for (SocketImpl* s : nl.sockets)
      if (!excluded(s)) targets.push_back(s->shared_from_this());
  } else {
    std::unordered_set<SocketImpl*> seen;
    auto add = [&](SocketImpl* s) {
      if (!excluded(s) && (to.rooms.size() == 1 || seen.insert(s).second))
        targets.push_back(s->shared_from_this());
    };
    for (const auto& room : to.rooms) {
      auto it = nl.rooms.find(room);
      if (it != nl.rooms.end())
        for (SocketImpl* s : it->second) add(s);
      // Every socket is implicitly in the room named by its own id.
      auto sit = nl.sockets.find(std::string_view(room));
      if (sit != nl.sockets.end()) {
        bool in_room = it != nl.rooms.end() && it->second.count(*sit);
        if (!in_room) add(*sit);
      }
    }
  }
  for (auto& t : targets) static_cast<SocketImpl*>(t.get())->send_frames(frames, has_binary);
}

}  // namespace engage::sio
