// Typed messages at the edge: client events (and REST bodies) parsed once into a closed set of
// structs, errors as values with the original's text plus a stable code, and the builders of
// every server → client payload in the original's key order (new fields appended).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/expected.h"
#include "core/json.h"

namespace engage::engage {

// Stable machine-readable error codes (CONTRACT.md Part A item 7).
namespace code {
inline constexpr std::string_view kBadRequest = "BAD_REQUEST";
inline constexpr std::string_view kRoomNotFound = "ROOM_NOT_FOUND";
inline constexpr std::string_view kInvalidCode = "INVALID_CODE";
inline constexpr std::string_view kRoomFull = "ROOM_FULL";
inline constexpr std::string_view kNotActive = "NOT_ACTIVE";
inline constexpr std::string_view kGameFinished = "GAME_FINISHED";
inline constexpr std::string_view kNotYourTurn = "NOT_YOUR_TURN";
inline constexpr std::string_view kNotAPlayer = "NOT_A_PLAYER";
inline constexpr std::string_view kInvalidMove = "INVALID_MOVE";
inline constexpr std::string_view kNotHost = "NOT_HOST";
inline constexpr std::string_view kUnavailable = "UNAVAILABLE";
inline constexpr std::string_view kInternal = "INTERNAL";
inline constexpr std::string_view kRateLimited = "RATE_LIMITED";
inline constexpr std::string_view kUnauthorized = "UNAUTHORIZED";
}  // namespace code

// An error for one client: the `error` event's {message, code}, or a REST {success:false,
// error, code} with an HTTP status.
struct ApiError {
  std::string message;
  std::string_view code;
  int status = 400;
  int64_t retry_after_ms = 0;  // RATE_LIMITED: when to retry (retryAfterMs, Retry-After)
};
inline ApiError unavailable() {
  return {"Service temporarily unavailable, please retry", code::kUnavailable, 503};
}

// Every limit of the application layer, with its default and why.
struct Limits {
  std::size_t max_id_chars = 128;          // roomId / roomCode / userId text; real ones are < 40
  std::size_t max_video_id_chars = 256;    // YouTube ids are 11; leave room for other providers
  std::size_t max_video_url_chars = 2048;  // the de-facto URL length limit of browsers
  double max_current_time_s = 1e7;         // ~115 days: no real video is longer
  int room_ttl_s = 3600;                   // the original's SETEX 3600, now from the last activity
  int max_cas_retries = 64;         // conflicts (other instances only) beyond this → UNAVAILABLE
  int64_t cas_backoff_max_ms = 50;  // retry n waits a random 0..min(2^n, this) ms (jitter)
  std::size_t room_doc_cache = 4096;    // last committed room documents kept per instance (LRU)
  std::size_t game_cache_games = 4096;  // live chess games kept in memory per instance (LRU)
  int code_claim_attempts = 20;         // 6-digit codes: 900k values; collisions are rare
  std::size_t rest_body_limit = 100 * 1024;  // express.json()'s default limit
  int64_t sweep_interval_ms = 30000;         // expiry detection / presence keep-alive period
};

// ---- inbound ------------------------------------------------------------------------------

// A reference to a room as the client sent it: an id, a 6-digit code, or both.
struct RoomRef {
  std::string room_id;
  std::string room_code;
};

struct CreateChessRoom {};
struct JoinChessRoom {
  RoomRef ref;
};
struct MakeMove {
  std::string room_id;
  std::string from, to, promotion;  // promotion empty = absent
};
struct Resign {
  std::string room_id;
};
using PlayIn = std::variant<CreateChessRoom, JoinChessRoom, MakeMove, Resign>;

struct CreateSyncRoom {
  std::optional<std::string> video_id, video_url;  // absent allowed on /sing-along only
};
struct JoinSyncRoom {
  RoomRef ref;
};
enum class SyncAction : uint8_t { Play, Pause, Seek };
struct SyncControl {
  SyncAction action = SyncAction::Play;
  std::string room_id;
  std::optional<double> current_time;  // seek: always set
};
struct ChangeVideo {
  std::string room_id;
  std::string video_id, video_url;
};
using SyncIn = std::variant<CreateSyncRoom, JoinSyncRoom, SyncControl, ChangeVideo>;

// Names that differ between /watch-along and /sing-along.
struct SyncNames {
  std::string nsp;           // "/watch-along"
  std::string create_event;  // "create_watch_room"
  std::string join_event;    // "join_watch_room"
  std::string prefix;        // "watchalong" (store keys <prefix>:room:<id>, <prefix>:code:<c>)
  std::string rest;          // "/api/watch"
  bool create_requires_video = true;  // sing-along's create never validated (kept optional)
};
const SyncNames& watch_names();
const SyncNames& sing_names();

// Parses a /play-along event. nullopt = an event this namespace does not know (ignored, as the
// original did). `args` is the event's argument array; the payload is its first element.
Expected<std::optional<PlayIn>, ApiError> parse_play(std::string_view event,
                                                     const json::Value& args, const Limits& lim);
// Parses a /watch-along or /sing-along event.
Expected<std::optional<SyncIn>, ApiError> parse_sync(const SyncNames& names, std::string_view event,
                                                     const json::Value& args, const Limits& lim);

// Field parsers shared with the REST door (body = the parsed JSON body, an object or null).
Expected<RoomRef, ApiError> parse_room_ref(const json::Value& body, const Limits& lim,
                                           std::string_view missing_message);
Expected<MakeMove, ApiError> parse_move(const json::Value& body, const Limits& lim);
Expected<CreateSyncRoom, ApiError> parse_create_sync(const json::Value& body, bool requires_video,
                                                     const Limits& lim);
Expected<SyncControl, ApiError> parse_sync_control(SyncAction action, const json::Value& body,
                                                   const Limits& lim);
Expected<ChangeVideo, ApiError> parse_change_video(const json::Value& body, const Limits& lim);
// Reads an optional id-like field: absent / null / "" / false → "" (the original's falsy
// test); a string (trimmed) or an integer; anything else or too long → error.
Expected<std::string, ApiError> parse_id_field(const json::Value& body, std::string_view key,
                                               const Limits& lim);

// ---- outbound -----------------------------------------------------------------------------

// error {message, code}
json::Value out_error(const ApiError& e);
// play-along greetings.
json::Value out_server_ready(std::string_view socket_id, std::string_view user_id, bool ready,
                             int64_t now_ms);
json::Value out_connected(std::string_view socket_id, std::string_view user_id);
// {userId, roomId} (+ version when given): participant_joined/left, opponent_left/rejoined.
json::Value out_user_room(std::string_view user_id, std::string_view room_id,
                          std::optional<uint64_t> version = std::nullopt);
// A room document as clients see it (internal fields removed), in stored key order.
json::Value out_room(const json::Value& doc);
// out_room + extra members appended (e.g. isHost, isRejoin).
json::Value out_room_with(const json::Value& doc, json::Object extra);
// REST view: {success:true, roomId, roomCode, ...the rest of out_room} (+extra).
json::Value out_rest_room(const json::Value& doc, json::Object extra = {});
// REST failure body {success:false, error, code}.
std::string rest_error_body(const ApiError& e);

// Returns a copy of doc[key], or null when absent.
json::Value member_or_null(const json::Value& doc, std::string_view key);

// Returns `args` wrapped as a one-element argument array, as sio::Socket::emit expects.
json::Value one_arg(json::Value v);

}  // namespace engage::engage
