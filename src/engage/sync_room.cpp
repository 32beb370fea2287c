// /watch-along and /sing-along: rooms, host control, presence, host hand-over and closing.
#include "engage/sync_room.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/clock.h"

namespace engage::engage {

namespace {

ApiError room_not_found() {
  return {"Room not found", code::kRoomNotFound, 404};
}

std::string str_field(const json::Value& doc, std::string_view key) {
  const json::Value* v = doc.find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

bool has_participant(const json::Value& doc, const std::string& user) {
  const json::Value* p = doc.find("participants");
  if (!p || !p->is_array()) return false;
  for (const auto& v : p->as_array())
    if (v.is_string() && v.as_string() == user) return true;
  return false;
}

int64_t presence_of(const json::Value& doc, const std::string& user) {
  const json::Value* p = doc.find("presence");
  if (!p || !p->is_object()) return 0;
  const json::Value* n = p->find(user);
  return n && n->as_int() ? *n->as_int() : 0;
}

void set_presence(json::Value& doc, const std::string& user, int64_t n) {
  json::Value* p = doc.find("presence");
  if (!p || !p->is_object()) p = &doc.set("presence", json::Value::object());
  if (n <= 0) {
    p->erase(user);
  } else {
    p->set(user, n);
  }
}

// Inserts key:value right after `after` (or at the end), keeping the original's key order.
json::Value with_after(const json::Value& doc, std::string_view after, std::string_view key,
                       json::Value value) {
  json::Object o;
  o.reserve(16);
  bool placed = false;
  for (const auto& [k, v] : doc.as_object()) {
    o.emplace_back(k, v);
    if (k == after) {
      o.emplace_back(std::string(key), value);
      placed = true;
    }
  }
  if (!placed) o.emplace_back(std::string(key), std::move(value));
  return json::Value(std::move(o));
}

uint64_t version_of(const json::Value& doc) {
  const json::Value* v = doc.find("version");
  return v && v->as_int() ? static_cast<uint64_t>(*v->as_int()) : 0;
}

json::Value sync_payload(const json::Value& doc) {
  auto member = [&doc](std::string_view k, json::Value dflt) {
    const json::Value* v = doc.find(k);
    return v ? *v : dflt;
  };
  json::Value o = json::Value::object();
  o.set("currentTime", member("currentTime", json::Value(0)));
  o.set("isPlaying", member("isPlaying", json::Value(false)));
  o.set("serverTime", member("serverTime", json::Value(0)));
  o.set("version", version_of(doc));
  return o;
}

}  // namespace

double SyncRooms::playhead(const json::Value& doc, int64_t now_ms) {
  const json::Value* t = doc.find("currentTime");
  double at = t && t->is_number() ? t->as_double() : 0;
  const json::Value* playing = doc.find("isPlaying");
  const json::Value* since = doc.find("serverTime");
  if (playing && playing->is_bool() && playing->as_bool() && since && since->is_number()) {
    double dt = (static_cast<double>(now_ms) - since->as_double()) / 1000.0;
    if (dt > 0) at += dt;
  }
  return at;
}

void SyncRooms::create(const Actor& a, const CreateSyncRoom& msg, RoomFn done) {
  const int64_t now = Clock::get().now_ms();
  std::string user = a.user_id;
  bool socket = !a.socket_id.empty();
  CreateSyncRoom m = msg;
  env_.rooms.create(
      names_.prefix,
      [user, socket, m, now](const std::string& id, const std::string& code) {
        json::Object o;
        o.reserve(16);
        o.emplace_back("roomId", id);
        o.emplace_back("hostId", user);
        if (m.video_id) o.emplace_back("videoId", *m.video_id);
        if (m.video_url) o.emplace_back("videoUrl", *m.video_url);
        o.emplace_back("isPlaying", false);
        o.emplace_back("currentTime", 0);
        o.emplace_back("createdAt", iso8601(now));
        json::Array parts;
        parts.emplace_back(user);
        o.emplace_back("participants", json::Value(std::move(parts)));
        o.emplace_back("roomCode", code);
        o.emplace_back("status", "active");
        o.emplace_back("version", 1);
        o.emplace_back("serverTime", now);
        o.emplace_back("lastActivity", now);
        json::Object presence;
        presence.reserve(16);
        if (socket) presence.emplace_back(user, 1);
        o.emplace_back("presence", json::Value(std::move(presence)));
        return json::Value(std::move(o));
      },
      std::move(done));
}

void SyncRooms::join(const Actor& a, const RoomRef& ref, const ApiError& invalid_code,
                     const ApiError& not_found, RoomFn done) {
  Actor actor = a;
  auto is_new = std::make_shared<bool>(false);
  env_.rooms.resolve(
      names_.prefix, ref, invalid_code,
      [this, actor, is_new, not_found, done = std::move(done)](Expected<std::string, ApiError> id) {
        if (!id) return done(Unexpected{id.error()});
        env_.rooms.update(
            names_.prefix, *id, not_found,
            [actor, is_new](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
              *is_new = !has_participant(doc, actor.user_id);
              if (*is_new) doc.find("participants")->push_back(json::Value(actor.user_id));
              if (!actor.socket_id.empty())
                set_presence(doc, actor.user_id, presence_of(doc, actor.user_id) + 1);
              else if (!*is_new)
                return Rooms::Outcome::Keep;
              return Rooms::Outcome::Write;
            },
            [this, actor, is_new, done](Expected<Rooms::Committed, ApiError> c) {
              if (!c) return done(Unexpected{c.error()});
              json::Value doc = std::move(c->doc);
              std::string room_id = str_field(doc, "roomId");
              done(doc);
              if (*is_new)
                env_.to_room(names_.nsp, room_id, "participant_joined",
                             out_user_room(actor.user_id, room_id, version_of(doc)),
                             actor.socket_id);
            });
      });
}

void SyncRooms::control(const Actor& a, const SyncControl& msg, RoomFn done) {
  Actor actor = a;
  SyncControl m = msg;
  env_.rooms.resolve(
      names_.prefix, RoomRef{m.room_id, {}}, room_not_found(),
      [this, actor, m, done = std::move(done)](Expected<std::string, ApiError> id) {
        if (!id) return done(Unexpected{id.error()});
        env_.rooms.update(
            names_.prefix, *id, room_not_found(),
            [actor, m, this](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
              if (str_field(doc, "hostId") != actor.user_id)
                return Unexpected{ApiError{"Only host can control playback", code::kNotHost, 403}};
              const int64_t now = Clock::get().now_ms();
              double at = m.current_time ? *m.current_time : playhead(doc, now);
              at = std::min(at, env_.limits.max_current_time_s);
              if (m.action == SyncAction::Play) doc.set("isPlaying", true);
              if (m.action == SyncAction::Pause) doc.set("isPlaying", false);
              if (!doc.find("isPlaying")) doc.set("isPlaying", false);
              doc.set("currentTime", at);
              doc.set("serverTime", now);
              return Rooms::Outcome::Write;
            },
            [this, m, done](Expected<Rooms::Committed, ApiError> c) {
              if (!c) return done(Unexpected{c.error()});
              json::Value doc = std::move(c->doc);
              done(doc);
              const char* ev = m.action == SyncAction::Play    ? "sync_play"
                               : m.action == SyncAction::Pause ? "sync_pause"
                                                               : "sync_seek";
              env_.to_room(names_.nsp, str_field(doc, "roomId"), ev, sync_payload(doc));
            });
      });
}

void SyncRooms::change_video(const Actor& a, const ChangeVideo& msg, RoomFn done) {
  Actor actor = a;
  ChangeVideo m = msg;
  env_.rooms.resolve(
      names_.prefix, RoomRef{m.room_id, {}}, room_not_found(),
      [this, actor, m, done = std::move(done)](Expected<std::string, ApiError> id) {
        if (!id) return done(Unexpected{id.error()});
        env_.rooms.update(
            names_.prefix, *id, room_not_found(),
            [actor, m](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
              if (str_field(doc, "hostId") != actor.user_id)
                return Unexpected{ApiError{"Only host can change video", code::kNotHost, 403}};
              // Sing rooms may have been created without a video: keep the original's order.
              if (!doc.find("videoId")) doc = with_after(doc, "hostId", "videoId", "");
              if (!doc.find("videoUrl")) doc = with_after(doc, "videoId", "videoUrl", "");
              doc.set("videoId", m.video_id);
              doc.set("videoUrl", m.video_url);
              doc.set("currentTime", 0);
              doc.set("isPlaying", false);
              doc.set("serverTime", Clock::get().now_ms());
              return Rooms::Outcome::Write;
            },
            [this, done](Expected<Rooms::Committed, ApiError> c) {
              if (!c) return done(Unexpected{c.error()});
              json::Value doc = std::move(c->doc);
              done(doc);
              json::Object o;
              o.reserve(16);
              o.emplace_back("videoId", member_or_null(doc, "videoId"));
              o.emplace_back("videoUrl", member_or_null(doc, "videoUrl"));
              o.emplace_back("version", version_of(doc));
              env_.to_room(names_.nsp, str_field(doc, "roomId"), "sync_video",
                           json::Value(std::move(o)));
            });
      });
}

void SyncRooms::get(const RoomRef& ref, const ApiError& not_found, RoomFn done) {
  env_.rooms.resolve(names_.prefix, ref, not_found,
                     [this, not_found, done = std::move(done)](Expected<std::string, ApiError> id) {
                       if (!id) return done(Unexpected{id.error()});
                       env_.rooms.load(names_.prefix, *id, not_found, done);
                     });
}

void SyncRooms::leave(const Actor& a, const std::string& room_id) {
  Actor actor = a;
  struct Change {
    bool left = false;
    std::string new_host;
  };
  auto ch = std::make_shared<Change>();
  env_.rooms.update(
      names_.prefix, room_id, room_not_found(),
      [actor, ch](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
        *ch = Change{};
        const int64_t n = presence_of(doc, actor.user_id);
        if (n <= 0) return Rooms::Outcome::Keep;  // not here (or already gone)
        set_presence(doc, actor.user_id, n - 1);
        if (n > 1) return Rooms::Outcome::Write;  // another socket of the user stays
        ch->left = true;
        json::Value* parts = doc.find("participants");
        if (parts && parts->is_array()) {
          auto& arr = parts->as_array();
          std::erase_if(arr, [&](const json::Value& v) {
            return v.is_string() && v.as_string() == actor.user_id;
          });
          if (arr.empty()) return Rooms::Outcome::Delete;
          if (str_field(doc, "hostId") == actor.user_id) {
            // The next host: the longest-present member still connected, else the first one.
            std::string next;
            for (const auto& v : arr)
              if (v.is_string() && presence_of(doc, v.as_string()) > 0) {
                next = v.as_string();
                break;
              }
            if (next.empty() && arr.front().is_string()) next = arr.front().as_string();
            doc.set("hostId", next);
            ch->new_host = next;
          }
        } else {
          return Rooms::Outcome::Delete;
        }
        return Rooms::Outcome::Write;
      },
      [this, actor, ch, room_id](Expected<Rooms::Committed, ApiError> c) {
        if (!c || !ch->left) return;
        const uint64_t v = version_of(c->doc);
        env_.to_room(names_.nsp, room_id, "participant_left",
                     out_user_room(actor.user_id, room_id, v), actor.socket_id);
        if (c->outcome == Rooms::Outcome::Delete) {
          json::Object o;
          o.reserve(16);
          o.emplace_back("roomId", room_id);
          o.emplace_back("reason", "empty");
          env_.to_room(names_.nsp, room_id, "room_closed", json::Value(std::move(o)));
          env_.local.forget(names_.nsp, room_id);
          return;
        }
        if (!ch->new_host.empty()) {
          json::Object o;
          o.reserve(16);
          o.emplace_back("roomId", room_id);
          o.emplace_back("hostId", ch->new_host);
          o.emplace_back("version", v);
          env_.to_room(names_.nsp, room_id, "host_changed", json::Value(std::move(o)));
        }
      });
}

// ---- the socket door -----------------------------------------------------------------------

void SyncRooms::enter(const sio::SocketPtr& s, const std::string& room_id) {
  SocketState& st = socket_state(s);
  if (st.room_id == room_id) return;
  exit_current(s);
  s->join(room_id);
  st.room_id = room_id;
  env_.local.add(names_.nsp, names_.prefix, room_id);
}

void SyncRooms::exit_current(const sio::SocketPtr& s) {
  SocketState& st = socket_state(s);
  if (st.room_id.empty()) return;
  std::string old = std::move(st.room_id);
  st.room_id.clear();
  if (s->connected()) s->leave(old);
  env_.local.remove(names_.nsp, old);
  leave(Actor{st.user_id, s->id()}, old);
}

sio::NamespaceHandlers SyncRooms::handlers() {
  sio::NamespaceHandlers h;
  h.middleware = [this](const sio::SocketPtr& s,
                        std::function<void(std::optional<sio::ConnectError>)> done) {
    auto user = env_.identity.socket_user(s->handshake().auth, s->id(), true);
    if (!user) return done(sio::ConnectError{user.error().message, std::nullopt});
    socket_state(s).user_id = std::move(*user);
    done(std::nullopt);
  };
  h.on_event = [this](const sio::SocketPtr& s, const std::string& event, json::Value args,
                      sio::AckFn ack) { on_event(s, event, std::move(args), std::move(ack)); };
  h.on_disconnect = [this](const sio::SocketPtr& s, std::string_view) { exit_current(s); };
  return h;
}

void SyncRooms::on_event(const sio::SocketPtr& s, const std::string& event, json::Value args,
                         sio::AckFn ack) {
  auto msg = parse_sync(names_, event, args, env_.limits);
  if (!msg) return emit_error(s, msg.error(), ack);
  if (!*msg) return;  // not an event of this namespace: ignored, as the original did
  const SocketState& st = socket_state(s);
  if (auto lim = env_.check_limit(st.user_id, event)) return emit_error(s, *lim, ack);
  Actor actor{st.user_id, s->id()};
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, CreateSyncRoom>) {
          create(actor, m, [this, s, ack](Expected<json::Value, ApiError> r) {
            if (!r) return emit_error(s, r.error(), ack);
            std::string id = str_field(*r, "roomId");
            if (!s->connected()) return leave(Actor{socket_state(s).user_id, s->id()}, id);
            enter(s, id);  // the creator's presence is already counted in the new document
            json::Value room = out_room(*r);
            s->emit("room_created", one_arg(room));
            ack_ok(ack, room);
          });
        } else if constexpr (std::is_same_v<T, JoinSyncRoom>) {
          env_.rooms.resolve(
              names_.prefix, m.ref, ApiError{"Invalid room code", code::kInvalidCode, 404},
              [this, s, ack, actor](Expected<std::string, ApiError> id) {
                if (!id) return emit_error(s, id.error(), ack);
                auto reply = [this, s, ack](Expected<json::Value, ApiError> r) {
                  if (!r) return emit_error(s, r.error(), ack);
                  json::Value room = with_after(out_room(*r), "participants", "isHost",
                                                str_field(*r, "hostId") == socket_state(s).user_id);
                  s->emit("room_joined", one_arg(room));
                  ack_ok(ack, room);
                };
                if (socket_state(s).room_id == *id) {
                  // Already in this room: send the state again, count no new presence.
                  return env_.rooms.load(names_.prefix, *id, room_not_found(), reply);
                }
                join(actor, RoomRef{*id, {}}, room_not_found(), room_not_found(),
                     [this, s, actor, reply](Expected<json::Value, ApiError> r) {
                       if (r) {
                         std::string rid = str_field(*r, "roomId");
                         if (!s->connected()) return leave(actor, rid);  // gone meanwhile
                         enter(s, rid);
                       }
                       reply(std::move(r));
                     });
              });
        } else if constexpr (std::is_same_v<T, SyncControl>) {
          control(actor, m, [s, ack](Expected<json::Value, ApiError> r) {
            if (!r) return emit_error(s, r.error(), ack);
            ack_ok(ack, sync_payload(*r));
          });
        } else if constexpr (std::is_same_v<T, ChangeVideo>) {
          change_video(actor, m, [s, ack](Expected<json::Value, ApiError> r) {
            if (!r) return emit_error(s, r.error(), ack);
            ack_ok(ack);
          });
        }
      },
      **msg);
}

}  // namespace engage::engage
