// SyncRooms: the /watch-along and /sing-along rooms (one implementation, two sets of names):
// a host controls play/pause/seek/video, members follow; state carries the server's timestamp
// so late joiners compute the playhead; the host role passes on when the host leaves and the
// room closes when its last member goes.
#pragma once

#include <functional>
#include <string>

#include "engage/env.h"
#include "engage/messages.h"

namespace engage::engage {

class SyncRooms {
 public:
  SyncRooms(Env& env, const SyncNames& names) : env_(env), names_(names) {}

  const SyncNames& names() const { return names_; }
  // Returns the Socket.IO handlers of the namespace names().nsp.
  sio::NamespaceHandlers handlers();

  // ---- door-independent operations (the socket handlers and the REST API call these) ----
  // `socket_id` empty = the REST door (no presence is counted, nothing is excepted).
  struct Actor {
    std::string user_id;
    std::string socket_id;
  };
  using RoomFn = std::function<void(Expected<json::Value, ApiError>)>;

  // Creates a room hosted by the actor.
  void create(const Actor& a, const CreateSyncRoom& msg, RoomFn done);
  // Adds the actor to a room (by id or code). On success → others participant_joined when the
  // user is new. `invalid_code` / `not_found` are the door's error texts.
  void join(const Actor& a, const RoomRef& ref, const ApiError& invalid_code,
            const ApiError& not_found, RoomFn done);
  // Host-only play / pause / seek → room sync_play / sync_pause / sync_seek.
  void control(const Actor& a, const SyncControl& msg, RoomFn done);
  // Host-only change of video → room sync_video.
  void change_video(const Actor& a, const ChangeVideo& msg, RoomFn done);
  // Reads a room (by id or code).
  void get(const RoomRef& ref, const ApiError& not_found, RoomFn done);
  // One socket of the actor left room_id: its presence drops; at zero the user leaves
  // (participant_left), the host role passes on (host_changed), an empty room closes
  // (room_closed {reason:"empty"}).
  void leave(const Actor& a, const std::string& room_id);

  // Returns where the playhead is at now_ms: currentTime, plus the time since serverTime
  // while playing.
  static double playhead(const json::Value& doc, int64_t now_ms);

 private:
  void on_event(const sio::SocketPtr& s, const std::string& event, json::Value args,
                sio::AckFn ack);
  // Moves the socket into room_id (leaving its previous room of this namespace).
  void enter(const sio::SocketPtr& s, const std::string& room_id);
  // Takes the socket out of its current room (if any), as if it had disconnected from it.
  void exit_current(const sio::SocketPtr& s);

  Env& env_;
  SyncNames names_;
};

}  // namespace engage::engage
