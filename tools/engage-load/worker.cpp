// Worker: connection ramp, the chess / watch-along / idle scenarios, and per-tick and final
// reports for the conductor.
#include "worker.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>
#include <cmath>

#include "socketio/packet.h"

namespace engage::load {

namespace asio = boost::asio;
using boost::system::error_code;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string resolve_targets(const Options& opt, std::vector<Target>& out) {
  out.clear();
  for (const std::string& url : opt.urls) {
    std::string_view u = url;
    for (std::string_view scheme : {"ws://", "http://"}) {
      if (u.substr(0, scheme.size()) == scheme) u.remove_prefix(scheme.size());
    }
    if (u.find("://") != std::string_view::npos) return "unsupported scheme in " + url;
    std::string_view path;
    if (const auto slash = u.find('/'); slash != std::string_view::npos) {
      path = u.substr(slash);
      u = u.substr(0, slash);
    }
    const auto colon = u.rfind(':');
    if (colon == std::string_view::npos) return "missing port in " + url;
    std::string host(u.substr(0, colon));
    if (host == "localhost") host = "127.0.0.1";
    if (!host.empty() && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const auto ps = u.substr(colon + 1);
    auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
    if (ec != std::errc{} || p != ps.data() + ps.size() || port == 0 || port > 65535) {
      return "bad port in " + url;
    }
    error_code aec;
    const auto addr = asio::ip::make_address(host, aec);
    if (aec) return "not a numeric address (use 127.0.0.1): " + url;
    if (!addr.is_loopback() && !opt.allow_remote) {
      return "refusing non-loopback target " + url + " (pass --allow-remote)";
    }
    Target t;
    t.host_header = std::string(u);
    t.endpoint = asio::ip::tcp::endpoint(addr, static_cast<uint16_t>(port));
    t.path = path.empty() || path == "/" ? opt.path : std::string(path);
    if (t.path.back() != '/') t.path += '/';
    out.push_back(std::move(t));
  }
  if (out.empty()) return "no target URL";
  return {};
}

struct Worker::GameState {
  Client* white = nullptr;
  Client* black = nullptr;
  chess::Game board;
  std::string room_id;
  std::string room_code;
  uint32_t plies = 0;       // plies applied to `board` in this game
  uint32_t generation = 0;  // bumps on every (re)start: stale timers see it
  int64_t last_move_ns = 0;
  bool active = false;     // game_start seen, not over
  int64_t started_ns = 0;  // when the current game was (re)started
};

struct Worker::WatchRoom {
  Client* host = nullptr;
  std::vector<Client*> members;
  std::string room_id;
  std::size_t joined = 0;
  bool syncing = false;
  bool play_next = true;
  double last_sent_ms = -1;  // currentTime of the last sync sent (steady clock, ms)
  std::size_t last_received = 0;
  int64_t last_max_ns = 0;
  bool last_measured = false;
};

namespace {

// Returns the numeric value after "key": in a flat JSON object text, or NaN.
double find_number(std::string_view data, std::string_view quoted_key) {
  const std::size_t at = data.find(quoted_key);
  if (at == std::string_view::npos) return NAN;
  std::size_t i = at + quoted_key.size();
  while (i < data.size() && (data[i] == ':' || data[i] == ' ')) ++i;
  double v = NAN;
  auto [p, ec] = std::from_chars(data.data() + i, data.data() + data.size(), v);
  if (ec != std::errc{}) return NAN;
  return v;
}

std::string string_field(const json::Value& obj, std::string_view key) {
  const json::Value* v = obj.find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

// Decodes a Socket.IO EVENT packet and returns its first argument (`["name",{...}]` → the
// object), or null when the packet is invalid or has no argument.
json::Value first_arg(std::string_view packet) {
  auto p = sio::decode_text(packet);
  if (!p || !p->data.is_array() || p->data.size() < 2) return json::Value();
  return std::move(p->data.as_array()[1]);
}

}  // namespace

Worker::Worker(asio::io_context& io, const Options& opt, std::vector<Target> targets, int index,
               int count, std::function<void(json::Value)> report)
    : io_(io),
      opt_(opt),
      targets_(std::move(targets)),
      index_(index),
      count_(count),
      report_(std::move(report)),
      scratch_(64 * 1024),
      rng_(opt.seed * uint64_t{0x9E3779B97F4A7C15} +
           static_cast<uint64_t>(static_cast<unsigned>(index)) + 1),
      ramp_timer_(io) {
  chess::init();
  const bool polling = opt_.transport == "polling";
  const std::string& prefix = opt_.user_prefix;
  const std::size_t n = targets_.size();
  auto target = [&](std::size_t i) -> const Target& { return targets_[i % n]; };
  for (int g = index_; g < opt_.games; g += count_) {
    auto gs = std::make_unique<GameState>();
    const auto gi = static_cast<uint32_t>(g);
    auto w = std::make_unique<Client>(*this, Role::White, static_cast<uint32_t>(games_.size()),
                                      prefix + "g" + std::to_string(g) + "w", target(gi),
                                      "/play-along", polling);
    auto b = std::make_unique<Client>(*this, Role::Black, static_cast<uint32_t>(games_.size()),
                                      prefix + "g" + std::to_string(g) + "b",
                                      target(opt_.spread ? gi + 1 : gi), "/play-along", polling);
    gs->white = w.get();
    gs->black = b.get();
    clients_.push_back(std::move(w));
    clients_.push_back(std::move(b));
    games_.push_back(std::move(gs));
  }
  for (int r = index_; r < opt_.watch_rooms; r += count_) {
    auto room = std::make_unique<WatchRoom>();
    const auto ri = static_cast<uint32_t>(r);
    const auto local = static_cast<uint32_t>(rooms_.size());
    auto h =
        std::make_unique<Client>(*this, Role::Host, local, prefix + "r" + std::to_string(r) + "h",
                                 target(ri), "/watch-along", polling);
    room->host = h.get();
    clients_.push_back(std::move(h));
    for (int m = 0; m < opt_.watch_members; ++m) {
      auto c = std::make_unique<Client>(
          *this, Role::Member, local, prefix + "r" + std::to_string(r) + "m" + std::to_string(m),
          target(opt_.spread ? ri + static_cast<uint32_t>(m) : ri), "/watch-along", polling);
      room->members.push_back(c.get());
      clients_.push_back(std::move(c));
    }
    rooms_.push_back(std::move(room));
  }
  for (int i = index_; i < opt_.idle; i += count_) {
    clients_.push_back(
        std::make_unique<Client>(*this, Role::Idle, 0, prefix + "i" + std::to_string(i),
                                 target(static_cast<uint32_t>(i)), opt_.idle_namespace, polling));
  }
}

Worker::~Worker() = default;

uint64_t Worker::next_random() {  // splitmix64
  uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint32_t Worker::mask_key() {
  return static_cast<uint32_t>(next_random());
}

void Worker::command(std::string_view cmd) {
  if (cmd == "ramp") {
    start_ramp();
  } else if (cmd == "tick") {
    check_timeouts();
    report_(tick_report());
  } else if (cmd == "measure") {
    measured_.reset();
    measure_start_ns_ = now_ns();
    measuring_ = true;
  } else if (cmd == "end") {
    measuring_ = false;
    measured_s_ = static_cast<double>(now_ns() - measure_start_ns_) / 1e9;
    report_(final_report());
  } else if (cmd == "quit") {
    shutdown();
  }
}

// ---------------------------------------------------------------------------------------------
// Ramp

void Worker::start_ramp() {
  ramping_ = true;
  ramp_start_ns_ = now_ns();
  ramp_step();
}

void Worker::ramp_step() {
  if (!ramping_ || quitting_) return;
  const double rate = opt_.ramp > 0 ? opt_.ramp / count_ : 0;
  std::size_t allowed = clients_.size();
  if (rate > 0) {
    const double elapsed = static_cast<double>(now_ns() - ramp_start_ns_) / 1e9;
    allowed = std::min(allowed, static_cast<std::size_t>(elapsed * rate) + 1);
  }
  const auto cap = static_cast<std::size_t>(std::max(1, opt_.connect_concurrency));
  while (next_to_start_ < allowed && in_flight_ < cap) {
    Client& c = *clients_[next_to_start_++];
    ++in_flight_;
    c.start();
  }
  if (next_to_start_ >= clients_.size()) {
    ramping_ = false;
    return;
  }
  if (rate > 0 && next_to_start_ >= allowed && in_flight_ < cap) {
    ramp_timer_.expires_after(std::chrono::milliseconds(5));
    ramp_timer_.async_wait([this](const error_code& ec) {
      if (!ec) ramp_step();
    });
  }
  // Otherwise the next finished handshake calls ramp_step().
}

// ---------------------------------------------------------------------------------------------
// Client callbacks

void Worker::on_connected(Client& c) {
  const int64_t t = now_ns();
  --in_flight_;
  if (++finished_handshakes_ == clients_.size()) ramp_done_ns_ = t;
  ++connected_now_;
  for (Stats* s : {&total_, &interval_}) {
    ++s->c.connects_ok;
    s->connect.record(static_cast<uint64_t>(t - c.started_ns));
  }
  if (measuring_) ++measured_.c.connects_ok;
  ramp_step();

  switch (c.role()) {
    case Role::White:
    case Role::Black: {
      GameState& g = *games_[c.group()];
      if (g.white->connected() && g.black->connected()) start_game(g);
      break;
    }
    case Role::Host: {
      c.emit("create_watch_room",
             R"({"videoId":"engage-load","videoUrl":"https://example.com/engage-load.mp4"})");
      break;
    }
    case Role::Member: {
      WatchRoom& r = *rooms_[c.group()];
      if (!r.room_id.empty()) {
        std::string p = "{\"roomId\":";
        json::write_string(p, r.room_id);
        p += '}';
        c.emit("join_watch_room", p);
      }
      break;
    }
    case Role::Idle:
      if (opt_.echo) send_echo(c);
      break;
  }
}

void Worker::on_failed(Client& c, std::string_view reason, bool was_connected) {
  if (quitting_) return;
  if (was_connected) {
    --connected_now_;
    for (Stats* s : {&total_, &interval_}) ++s->c.disconnects;
    if (measuring_) ++measured_.c.disconnects;
  } else {
    --in_flight_;
    if (++finished_handshakes_ == clients_.size()) ramp_done_ns_ = now_ns();
    for (Stats* s : {&total_, &interval_}) ++s->c.connects_failed;
    if (measuring_) ++measured_.c.connects_failed;
    ramp_step();
  }
  record_error(reason);
  if (c.role() == Role::White || c.role() == Role::Black) {
    GameState& g = *games_[c.group()];
    g.active = false;
    ++g.generation;
  }
}

void Worker::record_error(std::string_view message) {
  total_.add_error(message);
  interval_.add_error(message);
  if (measuring_) measured_.add_error(message);
}

void Worker::on_event(Client& c, std::string_view name, std::string_view data) {
  if (name == "error") {
    json::Value arg = first_arg(data);
    std::string msg = string_field(arg, "message");
    record_error(msg.empty() ? std::string("error event") : "error: " + msg);
    if (c.role() == Role::White || c.role() == Role::Black) {
      restart_game(*games_[c.group()], msg);
    }
    return;
  }
  switch (c.role()) {
    case Role::White:
    case Role::Black:
      on_chess_event(c, *games_[c.group()], name, data);
      break;
    case Role::Host:
    case Role::Member:
      on_watch_event(c, *rooms_[c.group()], name, data);
      break;
    case Role::Idle:
      if (opt_.echo && name == "message-back" && c.pending_ply) {
        const auto rtt = static_cast<uint64_t>(now_ns() - c.pending_sent_ns);
        c.pending_ply = 0;
        for (Stats* s : {&total_, &interval_}) {
          ++s->c.moves_acked;
          s->move_rtt.record(rtt);
        }
        if (measuring_) {
          ++measured_.c.moves_acked;
          measured_.move_rtt.record(rtt);
        }
        const auto wait =
            std::chrono::nanoseconds(static_cast<int64_t>(opt_.move_interval_ms * 1e6));
        if (wait.count() <= 0) return send_echo(c);
        c.timer().expires_after(wait);
        c.timer().async_wait([this, &c](const error_code& ec) {
          if (!ec && !quitting_) send_echo(c);
        });
      }
      break;
  }
}

void Worker::send_echo(Client& c) {
  if (!c.connected() || quitting_) return;
  c.pending_ply = 1;
  c.pending_sent_ns = now_ns();
  for (Stats* s : {&total_, &interval_}) ++s->c.moves_sent;
  if (measuring_) ++measured_.c.moves_sent;
  c.emit("message", R"({"engage-load":"echo","n":[1,2,3]})");
}

// ---------------------------------------------------------------------------------------------
// Chess: white creates, black joins by code, both play random legal moves.

void Worker::start_game(GameState& g) {
  ++g.generation;
  g.board = chess::Game();
  g.plies = 0;
  g.room_id.clear();
  g.room_code.clear();
  g.active = false;
  g.started_ns = now_ns();
  for (Client* p : {g.white, g.black}) {
    p->updates_seen = 0;
    p->pending_ply = 0;
    p->timer().cancel();
  }
  g.white->emit("create_chess_room", "");
}

void Worker::restart_game(GameState& g, std::string_view) {
  ++g.generation;
  g.active = false;
  g.white->timer().cancel();
  g.black->timer().cancel();
  if (quitting_ || !g.white->connected() || !g.black->connected()) return;
  // A short pause so that a server refusing everything (rate limits) is not hammered.
  const uint32_t gen = g.generation;
  g.white->timer().expires_after(std::chrono::milliseconds(200));
  g.white->timer().async_wait([this, &g, gen](const error_code& ec) {
    if (ec || gen != g.generation || quitting_) return;
    if (g.white->connected() && g.black->connected()) start_game(g);
  });
}

void Worker::on_chess_event(Client& c, GameState& g, std::string_view name, std::string_view data) {
  if (name == "move_update") {
    if (g.room_id.empty() || data.find(g.room_id) == std::string_view::npos) return;
    const uint32_t k = ++c.updates_seen;
    if (g.plies < k) {  // the first of the two players to hear of ply k applies it
      json::Value arg = first_arg(data);
      const std::string from = string_field(arg, "from");
      const std::string to = string_field(arg, "to");
      const std::string promotion = string_field(arg, "promotion");
      auto r = g.board.play(from, to, promotion);
      if (!r) {
        record_error("move_update not playable on the local board");
        return restart_game(g, "desync");
      }
      ++g.plies;
      const bool local_over = g.board.is_over();
      const bool server_over = string_field(arg, "status") == "finished";
      if (local_over != server_over) record_error("game status differs from the local board");
      if (local_over || server_over) g.active = false;  // white restarts on game_over
    }
    if (c.pending_ply == k) {
      const auto rtt = static_cast<uint64_t>(now_ns() - c.pending_sent_ns);
      c.pending_ply = 0;
      for (Stats* s : {&total_, &interval_}) {
        ++s->c.moves_acked;
        s->move_rtt.record(rtt);
      }
      if (measuring_) {
        ++measured_.c.moves_acked;
        measured_.move_rtt.record(rtt);
      }
    }
    const bool my_turn = (g.board.turn() == 'w') == (c.role() == Role::White);
    // React only to the newest ply: on an out-of-date update (the other player's socket already
    // applied a later ply to the shared board) this player would move twice from one position
    // and be refused "Not your turn".
    if (g.active && my_turn && k == g.plies) schedule_move(c, g);
    return;
  }
  if (name == "room_created") {
    if (c.role() != Role::White) return;
    json::Value arg = first_arg(data);
    g.room_id = string_field(arg, "roomId");
    g.room_code = string_field(arg, "roomCode");
    if (g.room_id.empty()) {
      record_error("room_created without roomId");
      return restart_game(g, "bad room_created");
    }
    std::string p = "{\"roomCode\":";
    json::write_string(p, g.room_code.empty() ? g.room_id : g.room_code);
    p += '}';
    g.black->emit("join_chess_room", p);
    return;
  }
  if (name == "game_start") {
    if (c.role() != Role::White || g.active || g.room_id.empty()) return;
    if (data.find(g.room_id) == std::string_view::npos) return;
    g.active = true;
    for (Stats* s : {&total_, &interval_}) ++s->c.games_started;
    if (measuring_) ++measured_.c.games_started;
    // The first move comes at a random point of one interval, so games do not move in step.
    const auto interval_ns = static_cast<int64_t>(opt_.move_interval_ms * 1e6);
    const int64_t offset =
        interval_ns > 0 ? static_cast<int64_t>(next_random() % static_cast<uint64_t>(interval_ns))
                        : 0;
    g.last_move_ns = now_ns() + offset - interval_ns;
    schedule_move(c, g);
    return;
  }
  if (name == "game_over") {
    if (c.role() != Role::White || g.room_id.empty()) return;
    if (data.find(g.room_id) == std::string_view::npos) return;
    for (Stats* s : {&total_, &interval_}) ++s->c.games_finished;
    if (measuring_) ++measured_.c.games_finished;
    start_game(g);
    return;
  }
  // server_ready, connected, opponent_left, ...: nothing to do.
}

void Worker::schedule_move(Client& c, GameState& g) {
  const auto interval_ns = static_cast<int64_t>(opt_.move_interval_ms * 1e6);
  const int64_t now = now_ns();
  const int64_t due = g.last_move_ns + interval_ns;
  if (interval_ns <= 0 || due <= now) return send_move(c, g);
  const uint32_t gen = g.generation;
  c.timer().expires_after(std::chrono::nanoseconds(due - now));
  c.timer().async_wait([this, &c, &g, gen](const error_code& ec) {
    if (ec || gen != g.generation || !g.active || quitting_) return;
    send_move(c, g);
  });
}

void Worker::send_move(Client& c, GameState& g) {
  if (!c.connected() || !g.active) return;
  std::string p = "{\"roomId\":";
  json::write_string(p, g.room_id);
  if (opt_.max_plies > 0 && g.plies >= static_cast<uint32_t>(opt_.max_plies)) {
    p += '}';
    g.active = false;
    c.emit("resign", p);
    return;
  }
  const std::vector<std::string> moves = g.board.legal_moves_uci();
  if (moves.empty()) return;
  const std::string& m = moves[next_random() % moves.size()];
  p += ",\"from\":\"";
  p.append(m, 0, 2);
  p += "\",\"to\":\"";
  p.append(m, 2, 2);
  p += '"';
  if (m.size() == 5) {
    p += ",\"promotion\":\"";
    p += m[4];
    p += '"';
  }
  p += '}';
  const int64_t now = now_ns();
  c.pending_ply = g.plies + 1;
  c.pending_sent_ns = now;
  g.last_move_ns = now;
  for (Stats* s : {&total_, &interval_}) ++s->c.moves_sent;
  if (measuring_) ++measured_.c.moves_sent;
  c.emit("make_move", p);
}

void Worker::check_timeouts() {
  if (quitting_) return;
  const int64_t now = now_ns();
  const auto limit = static_cast<int64_t>(opt_.move_timeout_ms * 1e6);
  for (auto& gp : games_) {
    GameState& g = *gp;
    if (!g.white->connected() || !g.black->connected()) continue;
    for (Client* p : {g.white, g.black}) {
      if (p->pending_ply && now - p->pending_sent_ns > limit) {
        record_error("move not acknowledged within --move-timeout");
        p->pending_ply = 0;
        restart_game(g, "timeout");
      }
    }
    if (!g.active && g.started_ns && now - g.started_ns > limit) {
      record_error("game did not start within --move-timeout");
      start_game(g);
    }
  }
  // Watch rooms whose members will not all arrive start syncing with those that did.
  if (!ramping_ && in_flight_ == 0) {
    for (auto& rp : rooms_) {
      WatchRoom& r = *rp;
      if (!r.syncing && !r.room_id.empty() && r.host->connected() && r.joined > 0) {
        r.syncing = true;
        send_sync(r);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Watch-along: the host's play/pause carries the send time as currentTime; members time it.

namespace {
constexpr double kSyncClockWrapMs = 1e6;  // ~16.7 min: far above any fan-out latency
}  // namespace

void Worker::on_watch_event(Client& c, WatchRoom& r, std::string_view name, std::string_view data) {
  if (c.role() == Role::Member && name.substr(0, 5) == "sync_") {
    const double sent_ms = find_number(data, "\"currentTime\"");
    if (std::isnan(sent_ms)) return;
    // The send time travels modulo kSyncClockWrapMs (see send_sync): undo the wrap.
    double elapsed_ms = std::fmod(static_cast<double>(now_ns()) / 1e6, kSyncClockWrapMs) - sent_ms;
    if (elapsed_ms < 0) elapsed_ms += kSyncClockWrapMs;
    const auto lat = static_cast<uint64_t>(elapsed_ms * 1e6);
    for (Stats* s : {&total_, &interval_}) {
      ++s->c.syncs_received;
      s->fanout.record(lat);
    }
    if (sent_ms == r.last_sent_ms) {
      ++r.last_received;
      r.last_max_ns = std::max(r.last_max_ns, static_cast<int64_t>(lat));
      if (measuring_ && r.last_measured) {
        ++measured_.c.syncs_received;
        measured_.fanout.record(lat);
      }
    }
    return;
  }
  if (name == "room_created" && c.role() == Role::Host) {
    r.room_id = string_field(first_arg(data), "roomId");
    if (r.room_id.empty()) return record_error("watch room_created without roomId");
    std::string p = "{\"roomId\":";
    json::write_string(p, r.room_id);
    p += '}';
    for (Client* m : r.members) {
      if (m->connected()) m->emit("join_watch_room", p);
    }
    return;
  }
  if (name == "room_joined" && c.role() == Role::Member) {
    if (++r.joined == r.members.size() && !r.syncing) {
      r.syncing = true;
      send_sync(r);
    }
  }
}

void Worker::close_sync_event(WatchRoom& r) {
  if (r.last_sent_ms < 0) return;
  std::size_t expected = 0;
  for (Client* m : r.members) expected += m->connected() ? 1u : 0u;
  const uint64_t missed = expected > r.last_received ? expected - r.last_received : 0;
  for (Stats* s : {&total_, &interval_}) {
    s->c.syncs_missed += missed;
    if (r.last_received) s->fanout_last.record(static_cast<uint64_t>(r.last_max_ns));
  }
  if (measuring_ && r.last_measured) {
    measured_.c.syncs_missed += missed;
    if (r.last_received) measured_.fanout_last.record(static_cast<uint64_t>(r.last_max_ns));
  }
}

void Worker::send_sync(WatchRoom& r) {
  if (quitting_ || !r.host->connected()) return;
  close_sync_event(r);
  // The monotonic clock in ms, modulo kSyncClockWrapMs: the server refuses a currentTime above
  // 10,000,000 (a video position), which the raw clock passes after ~2.8 h of uptime.
  const double ms =
      std::fmod(std::round(static_cast<double>(now_ns()) / 1e3) / 1e3, kSyncClockWrapMs);
  std::string p = "{\"roomId\":";
  json::write_string(p, r.room_id);
  p += ",\"currentTime\":";
  json::write_number(p, ms);
  p += '}';
  r.last_sent_ms = ms;
  r.last_received = 0;
  r.last_max_ns = 0;
  r.last_measured = measuring_;
  for (Stats* s : {&total_, &interval_}) ++s->c.syncs_sent;
  if (measuring_) ++measured_.c.syncs_sent;
  r.host->emit(r.play_next ? "play" : "pause", p);
  r.play_next = !r.play_next;
  r.host->timer().expires_after(
      std::chrono::microseconds(static_cast<int64_t>(opt_.sync_interval_ms * 1e3)));
  r.host->timer().async_wait([this, &r](const error_code& ec) {
    if (!ec) send_sync(r);
  });
}

// ---------------------------------------------------------------------------------------------
// Reports and shutdown

json::Value Worker::tick_report() {
  json::Value out = json::Value::object();
  out.set("type", "tick");
  out.set("worker", index_);
  out.set("connected", json::Value(connected_now_));
  out.set("target", json::Value(static_cast<uint64_t>(clients_.size())));
  const bool done = finished_handshakes_ >= clients_.size();
  if (done && ramp_done_ns_ == 0) ramp_done_ns_ = now_ns();
  out.set("ramp_done", done);
  out.set("ramp_s", done ? static_cast<double>(ramp_done_ns_ - ramp_start_ns_) / 1e9 : 0.0);
  out.set("stats", interval_.to_json());
  interval_.reset();
  return out;
}

json::Value Worker::final_report() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  json::Value out = json::Value::object();
  out.set("type", "final");
  out.set("worker", index_);
  out.set("measured_s", measured_s_);
  out.set("connected", json::Value(connected_now_));
  out.set("target", json::Value(static_cast<uint64_t>(clients_.size())));
  out.set("cpu_s", cpu);
  out.set("stats", measured_.to_json());
  out.set("total", total_.to_json());
  return out;
}

void Worker::shutdown() {
  quitting_ = true;
  ramping_ = false;
  ramp_timer_.cancel();
  for (auto& c : clients_) c->disconnect();
  if (on_quit_) asio::post(io_, on_quit_);
}

}  // namespace engage::load
