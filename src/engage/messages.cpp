// Parsers of client events and REST bodies into typed messages, and the payload builders.
#include "engage/messages.h"

#include <cmath>
#include <utility>

namespace engage::engage {

namespace {

ApiError bad(std::string message) {
  return {std::move(message), code::kBadRequest, 400};
}

// Returns the event's payload: the first argument, or null when there is none.
const json::Value& payload_of(const json::Value& args) {
  static const json::Value kNull;
  if (args.is_array() && !args.as_array().empty()) return args.as_array()[0];
  return kNull;
}

const json::Value* field(const json::Value& body, std::string_view key) {
  return body.is_object() ? body.find(key) : nullptr;
}

std::string_view trim(std::string_view s) {
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// Reads an optional free-text field (video id/url): falsy → nullopt, string within max → text.
Expected<std::optional<std::string>, ApiError> text_field(const json::Value& body,
                                                          std::string_view key, std::size_t max) {
  const json::Value* v = field(body, key);
  if (!v || !v->truthy()) return std::optional<std::string>{};
  if (!v->is_string()) return Unexpected{bad(std::string(key) + " must be a string")};
  if (v->as_string().size() > max)
    return Unexpected{
        bad(std::string(key) + " is too long (max " + std::to_string(max) + " characters)")};
  return std::optional<std::string>{v->as_string()};
}

// Reads an optional playhead in seconds: absent/null → nullopt; else a finite number in range.
Expected<std::optional<double>, ApiError> time_field(const json::Value& body, const Limits& lim) {
  const json::Value* v = field(body, "currentTime");
  if (!v || v->is_null()) return std::optional<double>{};
  std::string range = "currentTime must be a number between 0 and " +
                      std::to_string(static_cast<int64_t>(lim.max_current_time_s));
  if (!v->is_number()) return Unexpected{bad(range)};
  double t = v->as_double();
  if (!std::isfinite(t) || t < 0 || t > lim.max_current_time_s) return Unexpected{bad(range)};
  return std::optional<double>{t};
}

// Reads a required short string (a square, a promotion piece): falsy → "", else string ≤ max.
Expected<std::string, ApiError> short_field(const json::Value& body, std::string_view key,
                                            std::size_t max) {
  const json::Value* v = field(body, key);
  if (!v || !v->truthy()) return std::string();
  if (!v->is_string()) return Unexpected{bad(std::string(key) + " must be a string")};
  if (v->as_string().size() > max)
    return Unexpected{
        bad(std::string(key) + " is too long (max " + std::to_string(max) + " characters)")};
  return v->as_string();
}

}  // namespace

const SyncNames& watch_names() {
  static const SyncNames n{"/watch-along", "create_watch_room", "join_watch_room",
                           "watchalong",   "/api/watch",        true};
  return n;
}
const SyncNames& sing_names() {
  static const SyncNames n{"/sing-along", "create_sing_room", "join_sing_room",
                           "singalong",   "/api/sing",        false};
  return n;
}

Expected<std::string, ApiError> parse_id_field(const json::Value& body, std::string_view key,
                                               const Limits& lim) {
  const json::Value* v = field(body, key);
  if (!v || !v->truthy()) return std::string();
  std::string out;
  if (v->is_string()) {
    out = std::string(trim(v->as_string()));
  } else if (v->is_number() && v->as_int() && *v->as_int() >= 0) {
    out = std::to_string(*v->as_int());  // a numeric room code (the original crashed on it)
  } else {
    return Unexpected{bad(std::string(key) + " must be a string")};
  }
  if (out.size() > lim.max_id_chars)
    return Unexpected{bad(std::string(key) + " is too long (max " +
                          std::to_string(lim.max_id_chars) + " characters)")};
  for (char c : out)
    if (!id_char(c))
      return Unexpected{bad(std::string(key) + " may only contain letters, digits, '_', '-', '.'")};
  return out;
}

Expected<RoomRef, ApiError> parse_room_ref(const json::Value& body, const Limits& lim,
                                           std::string_view missing_message) {
  RoomRef ref;
  if (body.is_string() || body.is_number()) {
    // A bare id or code instead of an object: accept it as whichever it looks like.
    json::Object o;
    o.reserve(16);
    o.emplace_back("roomId", body);
    auto id = parse_id_field(json::Value(std::move(o)), "roomId", lim);
    if (!id) return Unexpected{id.error()};
    ref.room_id = std::move(*id);
  } else {
    auto id = parse_id_field(body, "roomId", lim);
    if (!id) return Unexpected{id.error()};
    auto code = parse_id_field(body, "roomCode", lim);
    if (!code) return Unexpected{code.error()};
    ref.room_id = std::move(*id);
    ref.room_code = std::move(*code);
  }
  if (ref.room_id.empty() && ref.room_code.empty())
    return Unexpected{bad(std::string(missing_message))};
  return ref;
}

Expected<MakeMove, ApiError> parse_move(const json::Value& body, const Limits& lim) {
  MakeMove m;
  auto id = parse_id_field(body, "roomId", lim);
  if (!id) return Unexpected{id.error()};
  auto from = short_field(body, "from", 8);
  if (!from) return Unexpected{from.error()};
  auto to = short_field(body, "to", 8);
  if (!to) return Unexpected{to.error()};
  auto promo = short_field(body, "promotion", 8);
  if (!promo) return Unexpected{promo.error()};
  if (id->empty() || from->empty() || to->empty())
    return Unexpected{bad("roomId, from, and to are required")};
  m.room_id = std::move(*id);
  m.from = std::move(*from);
  m.to = std::move(*to);
  m.promotion = std::move(*promo);
  return m;
}

Expected<CreateSyncRoom, ApiError> parse_create_sync(const json::Value& body, bool requires_video,
                                                     const Limits& lim) {
  CreateSyncRoom c;
  auto vid = text_field(body, "videoId", lim.max_video_id_chars);
  if (!vid) return Unexpected{vid.error()};
  auto url = text_field(body, "videoUrl", lim.max_video_url_chars);
  if (!url) return Unexpected{url.error()};
  if (requires_video && (!*vid || !*url))
    return Unexpected{bad("videoId and videoUrl are required")};
  c.video_id = std::move(*vid);
  c.video_url = std::move(*url);
  return c;
}

Expected<SyncControl, ApiError> parse_sync_control(SyncAction action, const json::Value& body,
                                                   const Limits& lim) {
  SyncControl c;
  c.action = action;
  auto id = parse_id_field(body, "roomId", lim);
  if (!id) return Unexpected{id.error()};
  auto t = time_field(body, lim);
  if (!t) return Unexpected{t.error()};
  if (action == SyncAction::Seek && (id->empty() || !*t))
    return Unexpected{bad("roomId and currentTime are required")};
  if (id->empty()) return Unexpected{bad("roomId is required")};
  c.room_id = std::move(*id);
  c.current_time = *t;
  return c;
}

Expected<ChangeVideo, ApiError> parse_change_video(const json::Value& body, const Limits& lim) {
  ChangeVideo c;
  auto id = parse_id_field(body, "roomId", lim);
  if (!id) return Unexpected{id.error()};
  auto vid = text_field(body, "videoId", lim.max_video_id_chars);
  if (!vid) return Unexpected{vid.error()};
  auto url = text_field(body, "videoUrl", lim.max_video_url_chars);
  if (!url) return Unexpected{url.error()};
  if (id->empty() || !*vid || !*url)
    return Unexpected{bad("roomId, videoId, and videoUrl are required")};
  c.room_id = std::move(*id);
  c.video_id = std::move(**vid);
  c.video_url = std::move(**url);
  return c;
}

Expected<std::optional<PlayIn>, ApiError> parse_play(std::string_view event,
                                                     const json::Value& args, const Limits& lim) {
  const json::Value& p = payload_of(args);
  using R = std::optional<PlayIn>;
  if (event == "create_chess_room") return R{CreateChessRoom{}};
  if (event == "join_chess_room") {
    auto ref = parse_room_ref(p, lim, "Room ID or code is required");
    if (!ref) return Unexpected{ref.error()};
    return R{JoinChessRoom{std::move(*ref)}};
  }
  if (event == "make_move") {
    auto m = parse_move(p, lim);
    if (!m) return Unexpected{m.error()};
    return R{std::move(*m)};
  }
  if (event == "resign") {
    auto id = parse_id_field(p, "roomId", lim);
    if (!id) return Unexpected{id.error()};
    if (id->empty()) return Unexpected{bad("roomId is required")};
    return R{Resign{std::move(*id)}};
  }
  return R{};
}

Expected<std::optional<SyncIn>, ApiError> parse_sync(const SyncNames& names, std::string_view event,
                                                     const json::Value& args, const Limits& lim) {
  const json::Value& p = payload_of(args);
  using R = std::optional<SyncIn>;
  if (event == names.create_event) {
    auto c = parse_create_sync(p, names.create_requires_video, lim);
    if (!c) return Unexpected{c.error()};
    return R{std::move(*c)};
  }
  if (event == names.join_event) {
    auto ref = parse_room_ref(p, lim, "roomId is required");
    if (!ref) return Unexpected{ref.error()};
    return R{JoinSyncRoom{std::move(*ref)}};
  }
  SyncAction action;
  if (event == "play") {
    action = SyncAction::Play;
  } else if (event == "pause") {
    action = SyncAction::Pause;
  } else if (event == "seek") {
    action = SyncAction::Seek;
  } else if (event == "change_video") {
    auto c = parse_change_video(p, lim);
    if (!c) return Unexpected{c.error()};
    return R{std::move(*c)};
  } else {
    return R{};
  }
  auto c = parse_sync_control(action, p, lim);
  if (!c) return Unexpected{c.error()};
  return R{std::move(*c)};
}

// ---- outbound -----------------------------------------------------------------------------

json::Value out_error(const ApiError& e) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("message", e.message);
  o.emplace_back("code", e.code);
  if (e.retry_after_ms > 0) o.emplace_back("retryAfterMs", e.retry_after_ms);
  return json::Value(std::move(o));
}

json::Value out_server_ready(std::string_view socket_id, std::string_view user_id, bool ready,
                             int64_t now_ms) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("socketId", socket_id);
  o.emplace_back("userId", user_id);
  o.emplace_back("redisReady", ready);
  o.emplace_back("timestamp", now_ms);
  return json::Value(std::move(o));
}

json::Value out_connected(std::string_view socket_id, std::string_view user_id) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("socketId", socket_id);
  o.emplace_back("userId", user_id);
  return json::Value(std::move(o));
}

json::Value out_user_room(std::string_view user_id, std::string_view room_id,
                          std::optional<uint64_t> version) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("userId", user_id);
  o.emplace_back("roomId", room_id);
  if (version) o.emplace_back("version", *version);
  return json::Value(std::move(o));
}

json::Value out_room(const json::Value& doc) {
  json::Value v = doc;
  v.erase("presence");
  return v;
}

json::Value out_room_with(const json::Value& doc, json::Object extra) {
  json::Value v = out_room(doc);
  for (auto& [k, x] : extra) v.set(k, std::move(x));
  return v;
}

json::Value out_rest_room(const json::Value& doc, json::Object extra) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("success", true);
  if (const auto* id = doc.find("roomId")) o.emplace_back("roomId", *id);
  if (const auto* c = doc.find("roomCode")) o.emplace_back("roomCode", *c);
  json::Value room = out_room(doc);
  if (room.is_object())
    for (const auto& [k, v] : room.as_object())
      if (k != "roomId" && k != "roomCode") o.emplace_back(k, v);
  for (auto& m : extra) o.push_back(std::move(m));
  return json::Value(std::move(o));
}

std::string rest_error_body(const ApiError& e) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("success", false);
  o.emplace_back("error", e.message);
  o.emplace_back("code", e.code);
  if (e.retry_after_ms > 0) o.emplace_back("retryAfterMs", e.retry_after_ms);
  return json::Value(std::move(o)).dump();
}

json::Value member_or_null(const json::Value& doc, std::string_view key) {
  const json::Value* v = doc.find(key);
  return v ? *v : json::Value();
}

json::Value one_arg(json::Value v) {
  json::Array a;
  a.push_back(std::move(v));
  return json::Value(std::move(a));
}

}  // namespace engage::engage
