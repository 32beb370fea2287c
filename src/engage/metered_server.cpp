// MeteredServer and MeteredSocket: counting and per-connection event rates around the
// application's namespaces.
#include "engage/metered_server.h"

#include <algorithm>

#include "core/clock.h"
#include "core/metrics.h"
#include "engage/rate_limit.h"

namespace engage::engage {

namespace {

// Counts an outgoing event (and an `error`'s code).
void count_out(std::string_view nsp, std::string_view event, const json::Value& args) {
  metrics::ops().events_out.with({nsp, event}).inc();
  if (event == "error" && args.is_array() && !args.as_array().empty()) {
    const json::Value* code = args.as_array()[0].find("code");
    metrics::ops()
        .errors
        .with({code && code->is_string() ? std::string_view(code->as_string())
                                         : std::string_view("none")})
        .inc();
  }
}

}  // namespace

// The socket the application sees: forwards everything to the real one, counts its emits and
// holds its token bucket and its application data.
class MeteredSocket final : public sio::Socket {
 public:
  MeteredSocket(sio::SocketPtr inner, double rate, double burst)
      : inner_(std::move(inner)), bucket_(rate, burst) {}

  const std::string& id() const override { return inner_->id(); }
  const std::string& nsp() const override { return inner_->nsp(); }
  const sio::Handshake& handshake() const override { return inner_->handshake(); }
  std::size_t loop() const override { return inner_->loop(); }
  bool connected() const override { return inner_->connected(); }
  void dispatch(std::function<void()> fn) override { inner_->dispatch(std::move(fn)); }
  void emit(std::string_view event, json::Value args) override {
    count_out(inner_->nsp(), event, args);
    inner_->emit(event, std::move(args));
  }
  void join(const std::string& room) override { inner_->join(room); }
  void leave(const std::string& room) override { inner_->leave(room); }
  const std::vector<std::string>& rooms() const override { return inner_->rooms(); }
  void disconnect(bool close_connection) override { inner_->disconnect(close_connection); }

  TokenBucket& bucket() { return bucket_; }

 private:
  sio::SocketPtr inner_;
  TokenBucket bucket_;
};

MeteredServer::MeteredServer(sio::Server& inner, MeterOptions options)
    : inner_(inner), options_(options) {}

MeteredServer::~MeteredServer() = default;

std::string_view MeteredServer::event_label(std::string_view nsp, std::string_view event) {
  static constexpr std::string_view kChess[] = {"create_chess_room", "join_chess_room", "make_move",
                                                "resign"};
  static constexpr std::string_view kSync[] = {"play", "pause", "seek", "change_video"};
  if (nsp == "/play-along") {
    for (auto e : kChess)
      if (e == event) return e;
  } else if (nsp == "/watch-along" || nsp == "/sing-along") {
    for (auto e : kSync)
      if (e == event) return e;
    if (nsp == "/watch-along" && (event == "create_watch_room" || event == "join_watch_room"))
      return event;
    if (nsp == "/sing-along" && (event == "create_sing_room" || event == "join_sing_room"))
      return event;
  } else if (nsp == "/") {
    if (event == "message" || event == "message-with-ack") return event;
  }
  return "other";
}

std::shared_ptr<MeteredSocket> MeteredServer::wrap(const sio::SocketPtr& s) {
  LoopMap& m = map_of(*s);
  std::lock_guard lock(m.mu);
  auto& slot = m.map[s.get()];
  if (!slot)
    slot = std::make_shared<MeteredSocket>(s, options_.events_per_second, options_.events_burst);
  return slot;
}

void MeteredServer::forget(const sio::SocketPtr& s) {
  LoopMap& m = map_of(*s);
  std::lock_guard lock(m.mu);
  m.map.erase(s.get());
}

std::size_t MeteredServer::wrapped() const {
  std::size_t n = 0;
  for (const auto& m : maps_) {
    std::lock_guard lock(m.mu);
    n += m.map.size();
  }
  return n;
}

void MeteredServer::add_namespace(const std::string& name, sio::NamespaceHandlers h) {
  auto handlers = std::make_shared<sio::NamespaceHandlers>(std::move(h));
  sio::NamespaceHandlers out;
  if (handlers->middleware) {
    out.middleware = [this, handlers](const sio::SocketPtr& s,
                                      std::function<void(std::optional<sio::ConnectError>)> done) {
      auto w = wrap(s);
      handlers->middleware(
          w, [this, s, done = std::move(done)](std::optional<sio::ConnectError> err) {
            if (err) {
              metrics::ops().connection_refused.with({"namespace middleware"}).inc();
              forget(s);
            }
            done(std::move(err));
          });
    };
  }
  out.on_connect = [this, handlers, name](const sio::SocketPtr& s) {
    metrics::ops().connects.with({name}).inc();
    if (handlers->on_connect) handlers->on_connect(wrap(s));
  };
  out.on_event = [this, handlers, name](const sio::SocketPtr& s, const std::string& event,
                                        json::Value args, sio::AckFn ack) {
    auto w = wrap(s);
    const Clock& clock = options_.clock ? *options_.clock : Clock::get();
    if (int64_t wait = w->bucket().take(clock.now_ms()); wait > 0) {
      metrics::ops().rate_limited.with({"events"}).inc();
      std::string message = "Too many events, retry in " + std::to_string(wait) + " ms";
      json::Object err;
      err.reserve(3);
      err.emplace_back("message", message);
      err.emplace_back("code", "RATE_LIMITED");
      err.emplace_back("retryAfterMs", wait);
      json::Array a;
      a.emplace_back(json::Value(std::move(err)));
      w->emit("error", json::Value(std::move(a)));
      if (ack) {
        json::Object r;
        r.reserve(4);
        r.emplace_back("success", false);
        r.emplace_back("error", std::move(message));
        r.emplace_back("code", "RATE_LIMITED");
        r.emplace_back("retryAfterMs", wait);
        json::Array ra;
        ra.emplace_back(json::Value(std::move(r)));
        ack(json::Value(std::move(ra)));
      }
      return;
    }
    metrics::ops().events_in.with({name, event_label(name, event)}).inc();
    if (handlers->on_event) handlers->on_event(w, event, std::move(args), std::move(ack));
  };
  out.on_disconnect = [this, handlers](const sio::SocketPtr& s, std::string_view reason) {
    metrics::ops().disconnects.with({metrics::disconnect_reason_label(reason)}).inc();
    if (handlers->on_disconnect) handlers->on_disconnect(wrap(s), reason);
    forget(s);
  };
  inner_.add_namespace(name, std::move(out));
}

void MeteredServer::broadcast(const sio::BroadcastTarget& to, std::string_view event,
                              const json::Value& args) {
  count_out(to.nsp, event, args);
  if (event == "move_update") metrics::ops().moves.inc();
  inner_.broadcast(to, event, args);
}

}  // namespace engage::engage
