// Rooms: versioned room documents in the Store — creation with a CSPRNG id and an atomically
// claimed 6-digit code, resolution of an id or a code, and read → apply → compare-and-set
// updates retried on conflict, so no update is ever lost.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/expected.h"
#include "core/json.h"
#include "engage/game_cache.h"
#include "engage/messages.h"
#include "store/store.h"

namespace engage::engage {

class Rooms {
 public:
  Rooms(store::Store& store, const Limits& limits)
      : store_(store), limits_(limits), docs_(limits.room_doc_cache) {}

  store::Store& store() { return store_; }
  const Limits& limits() const { return limits_; }

  // Returns "<prefix>:room:<id>" / "<prefix>:code:<code>" (the original's key names).
  static std::string room_key(std::string_view prefix, std::string_view id);
  static std::string code_key(std::string_view prefix, std::string_view code);
  // Returns a new room id in the original's shape: room_<ms>_<9 base-36 chars> (CSPRNG).
  static std::string new_room_id(int64_t now_ms);
  // Returns the code key of a stored room document, or "" when it has no code.
  static std::string code_key_of(std::string_view prefix, const json::Value& doc);

  using DocFn = std::function<void(Expected<json::Value, ApiError>)>;
  using IdFn = std::function<void(Expected<std::string, ApiError>)>;
  // Builds a new document for (roomId, roomCode); it must carry "version": 1.
  using BuildFn = std::function<json::Value(const std::string& room_id, const std::string& code)>;

  // Reads room `id`; `not_found` when absent. Callback exactly once.
  void load(std::string prefix, std::string id, ApiError not_found, DocFn cb);
  // Creates a room: claims a free code (SET NX, retried), then writes the document.
  void create(std::string prefix, BuildFn build, DocFn cb);
  // Resolves a reference to a room id: a 6-digit code (in roomCode, or in roomId: codes are
  // accepted wherever ids are) through the code mapping, anything else as an id.
  // `invalid_code` when a code maps to nothing.
  void resolve(std::string prefix, RoomRef ref, ApiError invalid_code, IdFn cb);

  enum class Outcome { Write, Keep, Delete };
  // Applies a decision to the document: Write (store it, version + 1), Keep (no change; the
  // TTL is refreshed as for any activity), Delete (remove room and code), or an error.
  using Mutator = std::function<Expected<Outcome, ApiError>(json::Value& doc)>;
  struct Committed {
    json::Value doc;  // the document as stored (or as deleted)
    Outcome outcome = Outcome::Keep;
  };
  using CommitFn = std::function<void(Expected<Committed, ApiError>)>;
  // Reads, applies `mutate` to a copy, and writes it with compare-and-set; on a conflict
  // re-reads and re-applies (mutate must be repeatable), up to Limits::max_cas_retries, after
  // a jittered backoff (see set_defer). Updates of one room on this instance run one at a
  // time in arrival order (a per-room FIFO; no lock is held across the store call), so a
  // conflict can only come from another instance. `cb` runs before the next queued update of
  // the room starts. The document this instance last committed is kept (DocCache): the next
  // update of the room applies `mutate` to it and writes with compare-and-set against its
  // version, without a read; a conflict (another instance wrote), a refusal or a Keep falls
  // back to the stored document, so decisions are never taken on a stale copy alone.
  void update(std::string prefix, std::string id, ApiError not_found, Mutator mutate, CommitFn cb);

  // Runs `fn` after `delay_ms` (on any thread); used to back off between CAS retries.
  using DeferFn = std::function<void(int64_t delay_ms, std::function<void()> fn)>;
  // Installs the timer used for retry backoff; without one, retries are immediate.
  void set_defer(DeferFn defer) { defer_ = std::move(defer); }
  // Returns how many rooms have an update in flight on this instance (tests, metrics).
  std::size_t busy_rooms() const;
  // Returns the cache of committed room documents (tests, metrics).
  const DocCache& docs() const { return docs_; }

 private:
  struct Update;
  // Runs u now when its room is idle here, else queues it behind the room's updates.
  void enqueue(std::shared_ptr<Update> u);
  // Ends u's turn: starts the next queued update of its room, if any.
  void release(const std::string& key);
  // Runs u->run() without growing the stack when inline stores complete synchronously.
  static void start(std::shared_ptr<Update> u);

  store::Store& store_;
  const Limits& limits_;
  DeferFn defer_;
  DocCache docs_;
  mutable std::mutex queue_mu_;  // guards queues_ only; never held across a store call
  std::unordered_map<std::string, std::deque<std::shared_ptr<Update>>> queues_;
};

// Returns true when s is exactly six ASCII digits.
bool is_room_code(std::string_view s);

}  // namespace engage::engage
