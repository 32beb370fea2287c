// Worker: the clients of one load process and the scenarios they play — chess games (white
// creates, black joins by code, random legal moves at a set rate), watch-along rooms (a host
// and members, host play/pause timed to every member) and idle clients.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chess/game.h"
#include "client.h"
#include "core/json.h"
#include "options.h"
#include "stats.h"

namespace engage::load {

// Returns the steady clock in nanoseconds (CLOCK_MONOTONIC: comparable across processes).
int64_t now_ns();

// Resolves the option URLs ("ws://127.0.0.1:3002", "http://localhost:3002") into targets;
// refuses non-loopback addresses unless allowed. Returns an error message or "".
std::string resolve_targets(const Options& opt, std::vector<Target>& out);

class Worker {
 public:
  // Worker `index` of `count` takes games, rooms and idle clients whose number ≡ index (mod
  // count). Reports (JSON) go to `report`.
  Worker(boost::asio::io_context& io, const Options& opt, std::vector<Target> targets, int index,
         int count, std::function<void(json::Value)> report);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Handles a conductor command: "ramp", "tick", "measure", "end", "quit". "quit" closes every
  // client; `on_quit` runs once everything is closed.
  void command(std::string_view cmd);
  void set_on_quit(std::function<void()> f) { on_quit_ = std::move(f); }

  // Client callbacks.
  boost::asio::io_context& io() { return io_; }
  char* scratch() { return scratch_.data(); }
  std::size_t scratch_size() const { return scratch_.size(); }
  uint32_t mask_key();
  std::size_t max_message() const { return opt_.max_message_bytes; }
  void on_connected(Client& c);
  void on_failed(Client& c, std::string_view reason, bool was_connected);
  // `packet` is the whole Socket.IO packet text (`2/nsp,["name",...]`).
  void on_event(Client& c, std::string_view name, std::string_view packet);

 private:
  struct GameState;
  struct WatchRoom;

  void start_ramp();
  void ramp_step();
  json::Value tick_report();
  json::Value final_report();
  void shutdown();

  // Chess.
  void start_game(GameState& g);
  void restart_game(GameState& g, std::string_view why);
  void on_chess_event(Client& c, GameState& g, std::string_view name, std::string_view data);
  void schedule_move(Client& c, GameState& g);
  void send_move(Client& c, GameState& g);
  void check_timeouts();
  // Echo (conformance mode): `message` → `message-back`, timed like a move.
  void send_echo(Client& c);
  // Watch-along.
  void on_watch_event(Client& c, WatchRoom& r, std::string_view name, std::string_view data);
  void send_sync(WatchRoom& r);
  void close_sync_event(WatchRoom& r);

  void record_error(std::string_view message);
  uint64_t next_random();

  boost::asio::io_context& io_;
  Options opt_;
  std::vector<Target> targets_;
  int index_;
  int count_;
  std::function<void(json::Value)> report_;
  std::function<void()> on_quit_;
  std::vector<char> scratch_;
  uint64_t rng_;

  std::vector<std::unique_ptr<Client>> clients_;  // in connection order
  std::vector<std::unique_ptr<GameState>> games_;
  std::vector<std::unique_ptr<WatchRoom>> rooms_;

  boost::asio::steady_timer ramp_timer_;
  std::size_t next_to_start_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t finished_handshakes_ = 0;
  int64_t ramp_start_ns_ = 0;
  int64_t ramp_done_ns_ = 0;  // when the last handshake finished (succeeded or failed)
  bool ramping_ = false;
  bool measuring_ = false;
  bool quitting_ = false;
  int64_t measure_start_ns_ = 0;
  double measured_s_ = 0;
  uint64_t connected_now_ = 0;

  Stats total_;     // everything since start
  Stats interval_;  // since the last tick
  Stats measured_;  // between "measure" and "end"
};

}  // namespace engage::load
