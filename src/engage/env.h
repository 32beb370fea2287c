// Env: what every part of the application shares — the Socket.IO server, the rooms in the
// store, identity, limits, hooks for later issues, and this instance's local room presence.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engage/identity.h"
#include "engage/messages.h"
#include "engage/rooms.h"
#include "socketio/server.h"

namespace engage::engage {

// Hooks for issue 8 (rate limits, metrics). Empty = no limit / no metric.
struct Hooks {
  // Returns an error (code RATE_LIMITED) when `user` may not perform `action` now.
  std::function<std::optional<ApiError>(std::string_view user, std::string_view action)> limit;
  // Counts one handled client action ("make_move", "rest:/api/chess/move", ...).
  std::function<void(std::string_view action)> count;
};

// The rooms that have sockets on this instance, with how many: used to tell those sockets when
// a room expires and to keep a room alive while somebody is connected to it. Thread-safe.
class LocalRooms {
 public:
  struct Entry {
    std::string nsp, prefix, room_id;
    int sockets = 0;
  };
  void add(const std::string& nsp, const std::string& prefix, const std::string& room_id);
  void remove(const std::string& nsp, const std::string& room_id);
  void forget(const std::string& nsp, const std::string& room_id);
  std::vector<Entry> snapshot() const;
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> rooms_;
};

// Per-socket application state (sio::Socket::data): who it is and its room in this namespace.
struct SocketState {
  std::string user_id;
  std::string room_id;  // "" = in no room
};
// Returns the state attached to the socket (created on first use).
SocketState& socket_state(const sio::SocketPtr& s);

struct Env {
  Env(sio::Server& io_, store::Store& store, Limits limits_, Identity identity_ = Identity(),
      Hooks hooks_ = {})
      : io(io_),
        limits(limits_),
        rooms(store, limits),
        identity(std::move(identity_)),
        hooks(std::move(hooks_)) {}

  sio::Server& io;
  Limits limits;
  Rooms rooms;
  Identity identity;
  Hooks hooks;
  LocalRooms local;

  // Emits `event` with one payload to the room `room_id` of `nsp`, minus `except` (socket id).
  void to_room(const std::string& nsp, const std::string& room_id, std::string_view event,
               json::Value payload, const std::string& except = {});
  // Checks the rate-limit hook for a user action; nullopt = allowed.
  std::optional<ApiError> check_limit(std::string_view user, std::string_view action) const;

  // Checks every room that has sockets here: an expired room gets room_closed {roomId,
  // reason:"expired"} and is forgotten; a live one has its TTL refreshed (presence is activity).
  void sweep();
};

// Returns the ISO-8601 UTC text of ms since the epoch, like JavaScript's toISOString().
std::string iso8601(int64_t ms);
// Emits `error {message, code}` to the socket and answers its ack (if any) with the failure.
void emit_error(const sio::SocketPtr& s, const ApiError& e, const sio::AckFn& ack);
// Answers an ack (if any) with {success:true} plus the members of `extra` (an object).
void ack_ok(const sio::AckFn& ack, const json::Value& extra = json::Value::object());

}  // namespace engage::engage
