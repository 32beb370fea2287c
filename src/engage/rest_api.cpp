// REST handlers: parse once, call the door-independent room operations, answer JSON.
#include "engage/rest_api.h"

#include <memory>
#include <utility>

#include "core/clock.h"
#include "core/metrics.h"

namespace engage::engage {

namespace {

void send(const http::Respond& respond, int status, const json::Value& body) {
  respond(http::Response::json(status, body.dump()));
}

// Answers an error and counts it by code in engage_errors_total, as socket errors are counted.
void fail(const http::Respond& respond, const ApiError& e) {
  metrics::ops().errors.with({e.code.empty() ? std::string_view("none") : e.code}).inc();
  http::Response res = http::Response::json(e.status, rest_error_body(e));
  if (e.retry_after_ms > 0)
    res.headers.emplace_back("Retry-After", std::to_string((e.retry_after_ms + 999) / 1000));
  if (e.status == 401)  // RFC 6750 §3: the scheme, and why a presented token was refused
    res.headers.emplace_back("WWW-Authenticate", e.message.starts_with("Invalid token")
                                                     ? R"(Bearer error="invalid_token")"
                                                     : "Bearer");
  respond(std::move(res));
}

json::Value strings(std::initializer_list<const char*> items) {
  json::Array a;
  for (const char* s : items) a.emplace_back(s);
  return json::Value(std::move(a));
}

json::Value store_info(Env& env) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("kind", env.rooms.store().kind());
  o.emplace_back("state", store::state_name(env.rooms.store().state()));
  return json::Value(std::move(o));
}

const char* redis_word(Env& env) {
  return env.rooms.store().state() == store::State::Up ? "connected" : "disconnected";
}

// How a POST route names an unidentified caller in open mode (the original's fallbacks).
enum class Fallback { Anonymous, Stamped /* "user_<now ms>" */ };

// Wraps a POST handler that acts as a user: with JWT verification configured, checks the
// Bearer token first (answering 401 itself); parses the body (answering 400/413 itself); then
// calls fn(req, body, user, respond) with the token's `sub`, or in open mode body.userId ||
// X-User-Id || the fallback.
template <class Fn>
http::Handler with_user(Env& env, Fallback fallback, Fn fn) {
  return [&env, fallback, fn](const http::Request& req, http::Respond respond) {
    std::string user;
    if (env.identity.verifies_tokens()) {
      auto caller = env.identity.rest_caller(req, json::Value::object(), {});
      if (!caller) return fail(respond, caller.error());
      user = std::move(*caller);
    }
    auto body = parse_body(req, env.limits);
    if (!body) return fail(respond, body.error());
    if (user.empty())
      user = env.identity.rest_user(req, *body,
                                    fallback == Fallback::Stamped
                                        ? "user_" + std::to_string(Clock::get().now_ms())
                                        : std::string("anonymous"));
    fn(req, *body, user, std::move(respond));
  };
}

}  // namespace

Expected<json::Value, ApiError> parse_body(const http::Request& req, const Limits& lim) {
  if (req.body.size() > lim.rest_body_limit)
    return Unexpected{ApiError{"Request body too large", code::kBadRequest, 413}};
  std::size_t i = 0;
  while (i < req.body.size() &&
         (req.body[i] == ' ' || req.body[i] == '\n' || req.body[i] == '\r' || req.body[i] == '\t'))
    ++i;
  if (i == req.body.size()) return json::Value::object();
  json::ParseLimits pl;
  pl.max_depth = 32;
  auto v = json::parse(req.body, pl);
  if (!v)
    return Unexpected{
        ApiError{"Malformed JSON body: " + v.error().message, code::kBadRequest, 400}};
  if (v->is_array()) return json::Value::object();
  if (!v->is_object())
    return Unexpected{ApiError{"Request body must be a JSON object", code::kBadRequest, 400}};
  return std::move(*v);
}

void install_rest(http::Router& router, Env& env, PlayAlong& play, SyncRooms& watch,
                  SyncRooms& sing, RestInfo info) {
  // ---- informational (§3.2) ------------------------------------------------------------
  router.add("GET", "/", [&env, port = info.port](const http::Request&, http::Respond respond) {
    json::Object o;
    o.reserve(16);
    o.emplace_back("status", "ok");
    o.emplace_back("server", "Engage Socket.IO Server");
    o.emplace_back("port", port);
    o.emplace_back("redis", redis_word(env));
    o.emplace_back("store", store_info(env));
    send(respond, 200, json::Value(std::move(o)));
  });
  router.add("GET", "/health", [&env](const http::Request&, http::Respond respond) {
    json::Object o;
    o.reserve(16);
    o.emplace_back("status", "ok");
    o.emplace_back("namespaces", strings({"/watch-along", "/play-along", "/sing-along"}));
    o.emplace_back("redis", redis_word(env));
    o.emplace_back("store", store_info(env));
    send(respond, 200, json::Value(std::move(o)));
  });
  router.add("GET", "/socket.io-test", [](const http::Request&, http::Respond respond) {
    json::Object o;
    o.reserve(16);
    o.emplace_back("message", "Socket.IO server is running");
    o.emplace_back("namespaces", strings({"/watch-along", "/play-along", "/sing-along"}));
    o.emplace_back("transports", strings({"websocket", "polling"}));
    send(respond, 200, json::Value(std::move(o)));
  });
  router.add("GET", "/play-along", [](const http::Request&, http::Respond respond) {
    json::Object endpoints;
    endpoints.reserve(16);
    endpoints.emplace_back("create", "POST /api/chess/create");
    endpoints.emplace_back("join", "POST /api/chess/join");
    endpoints.emplace_back("status", "GET /api/chess/room/:roomId");
    json::Object o;
    o.reserve(16);
    o.emplace_back("message", "This is a Socket.IO namespace, not a REST endpoint");
    o.emplace_back("info", "Use REST API endpoints instead:");
    o.emplace_back("endpoints", json::Value(std::move(endpoints)));
    send(respond, 200, json::Value(std::move(o)));
  });

  // ---- chess (§3.4) ----------------------------------------------------------------------
  router.add("POST", "/api/chess/create",
             with_user(env, Fallback::Stamped,
                       [&env, &play](const http::Request&, const json::Value&,
                                     const std::string& user, http::Respond respond) {
                         if (auto lim = env.check_limit(user, "rest:chess/create"))
                           return fail(respond, *lim);
                         play.create({user, {}}, [respond](Expected<json::Value, ApiError> r) {
                           if (!r) return fail(respond, r.error());
                           send(respond, 200, out_rest_room(*r));
                         });
                       }));
  router.add(
      "POST", "/api/chess/join",
      with_user(env, Fallback::Anonymous,
                [&env, &play](const http::Request&, const json::Value& body,
                              const std::string& user, http::Respond respond) {
                  auto ref = parse_room_ref(body, env.limits, "Room ID or code is required");
                  if (!ref) return fail(respond, ref.error());
                  if (auto lim = env.check_limit(user, "rest:chess/join"))
                    return fail(respond, *lim);
                  play.join(
                      {user, {}}, *ref,
                      ApiError{"Invalid room code. Room may have expired or Redis is unavailable.",
                               code::kInvalidCode, 404},
                      ApiError{"Room not found. It may have expired.", code::kRoomNotFound, 404},
                      [respond](Expected<PlayAlong::Joined, ApiError> r) {
                        if (!r) return fail(respond, r.error());
                        json::Object extra;
                        extra.reserve(16);
                        if (r->rejoin) extra.emplace_back("isRejoin", true);
                        send(respond, 200, out_rest_room(r->room, std::move(extra)));
                      });
                }));
  router.add("GET", "/api/chess/room/:roomId",
             [&env, &play](const http::Request& req, http::Respond respond) {
               const ApiError nf{"Room not found. It may have expired.", code::kRoomNotFound, 404};
               json::Object o;
               o.reserve(16);
               o.emplace_back("roomId", req.param("roomId"));
               auto ref = parse_room_ref(json::Value(std::move(o)), env.limits, nf.message);
               if (!ref) return fail(respond, nf);
               play.get(*ref, nf, [respond](Expected<json::Value, ApiError> r) {
                 if (!r) return fail(respond, r.error());
                 send(respond, 200, out_rest_room(*r));
               });
             });
  router.add("POST", "/api/chess/move",
             with_user(env, Fallback::Anonymous,
                       [&env, &play](const http::Request&, const json::Value& body,
                                     const std::string& user, http::Respond respond) {
                         auto m = parse_move(body, env.limits);
                         if (!m) return fail(respond, m.error());
                         if (auto lim = env.check_limit(user, "rest:chess/move"))
                           return fail(respond, *lim);
                         play.move({user, {}}, *m,
                                   [respond](Expected<PlayAlong::Moved, ApiError> r) {
                                     if (!r) return fail(respond, r.error());
                                     const json::Value& u = r->move_update;
                                     json::Object mv;
                                     mv.reserve(16);
                                     mv.emplace_back("from", member_or_null(u, "from"));
                                     mv.emplace_back("to", member_or_null(u, "to"));
                                     if (const auto* p = u.find("promotion"))
                                       mv.emplace_back("promotion", *p);
                                     json::Object o;
                                     o.reserve(16);
                                     o.emplace_back("success", true);
                                     for (const char* k : {"fen", "turn", "status", "winner"})
                                       o.emplace_back(k, member_or_null(u, k));
                                     o.emplace_back("move", json::Value(std::move(mv)));
                                     for (const char* k : {"san", "ply", "version"})
                                       o.emplace_back(k, member_or_null(u, k));
                                     send(respond, 200, json::Value(std::move(o)));
                                   });
                       }));
  router.add(
      "POST", "/api/chess/resign",
      with_user(env, Fallback::Anonymous,
                [&env, &play](const http::Request&, const json::Value& body,
                              const std::string& user, http::Respond respond) {
                  auto id = parse_id_field(body, "roomId", env.limits);
                  if (!id) return fail(respond, id.error());
                  if (id->empty())
                    return fail(respond, ApiError{"roomId is required", code::kBadRequest, 400});
                  if (auto lim = env.check_limit(user, "rest:chess/resign"))
                    return fail(respond, *lim);
                  play.resign({user, {}}, *id, [respond](Expected<json::Value, ApiError> r) {
                    if (!r) return fail(respond, r.error());
                    send(respond, 200, out_rest_room(*r));
                  });
                }));

  // ---- watch / sing (§3.5) ---------------------------------------------------------------
  for (SyncRooms* rooms : {&watch, &sing}) {
    SyncRooms& sr = *rooms;
    const std::string base = sr.names().rest;
    const std::string tag = "rest:" + sr.names().prefix + "/";
    router.add("POST", base + "/create",
               with_user(env, Fallback::Anonymous,
                         [&env, &sr, tag](const http::Request&, const json::Value& body,
                                          const std::string& user, http::Respond respond) {
                           auto c = parse_create_sync(body, true, env.limits);
                           if (!c) return fail(respond, c.error());
                           if (auto lim = env.check_limit(user, tag + "create"))
                             return fail(respond, *lim);
                           sr.create({user, {}}, *c, [respond](Expected<json::Value, ApiError> r) {
                             if (!r) return fail(respond, r.error());
                             send(respond, 200, out_rest_room(*r));
                           });
                         }));
    router.add(
        "POST", base + "/join",
        with_user(env, Fallback::Anonymous,
                  [&env, &sr, tag](const http::Request&, const json::Value& body,
                                   const std::string& user, http::Respond respond) {
                    auto ref = parse_room_ref(body, env.limits, "roomId or roomCode is required");
                    if (!ref) return fail(respond, ref.error());
                    if (auto lim = env.check_limit(user, tag + "join")) return fail(respond, *lim);
                    sr.join({user, {}}, *ref,
                            ApiError{
                                "Invalid room code. Room may have expired or Redis is unavailable.",
                                code::kInvalidCode, 404},
                            ApiError{"Room not found", code::kRoomNotFound, 404},
                            [respond, user](Expected<json::Value, ApiError> r) {
                              if (!r) return fail(respond, r.error());
                              const json::Value* host = r->find("hostId");
                              json::Object extra;
                              extra.reserve(16);
                              extra.emplace_back(
                                  "isHost", host && host->is_string() && host->as_string() == user);
                              send(respond, 200, out_rest_room(*r, std::move(extra)));
                            });
                  }));
    router.add("GET", base + "/room/:roomId",
               [&env, &sr](const http::Request& req, http::Respond respond) {
                 const ApiError nf{"Room not found", code::kRoomNotFound, 404};
                 json::Object o;
                 o.reserve(16);
                 o.emplace_back("roomId", req.param("roomId"));
                 auto ref = parse_room_ref(json::Value(std::move(o)), env.limits, nf.message);
                 if (!ref) return fail(respond, nf);
                 sr.get(*ref, nf, [respond](Expected<json::Value, ApiError> r) {
                   if (!r) return fail(respond, r.error());
                   send(respond, 200, out_rest_room(*r));
                 });
               });
    struct Ctl {
      const char* path;
      SyncAction action;
    };
    for (Ctl ctl : {Ctl{"/play", SyncAction::Play}, Ctl{"/pause", SyncAction::Pause},
                    Ctl{"/seek", SyncAction::Seek}}) {
      router.add("POST", base + ctl.path,
                 with_user(env, Fallback::Anonymous,
                           [&env, &sr, ctl, tag](const http::Request&, const json::Value& body,
                                                 const std::string& user, http::Respond respond) {
                             auto c = parse_sync_control(ctl.action, body, env.limits);
                             if (!c) return fail(respond, c.error());
                             if (auto lim = env.check_limit(user, tag + (ctl.path + 1)))
                               return fail(respond, *lim);
                             sr.control({user, {}}, *c,
                                        [respond](Expected<json::Value, ApiError> r) {
                                          if (!r) return fail(respond, r.error());
                                          send(respond, 200, out_rest_room(*r));
                                        });
                           }));
    }
    router.add("POST", base + "/change-video",
               with_user(env, Fallback::Anonymous,
                         [&env, &sr, tag](const http::Request&, const json::Value& body,
                                          const std::string& user, http::Respond respond) {
                           auto c = parse_change_video(body, env.limits);
                           if (!c) return fail(respond, c.error());
                           if (auto lim = env.check_limit(user, tag + "change-video"))
                             return fail(respond, *lim);
                           sr.change_video({user, {}}, *c,
                                           [respond](Expected<json::Value, ApiError> r) {
                                             if (!r) return fail(respond, r.error());
                                             send(respond, 200, out_rest_room(*r));
                                           });
                         }));
  }
}

}  // namespace engage::engage
