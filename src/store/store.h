// Store: the state behind every instance — versioned room documents, room-code claims,
// rate-limit counters and the cross-instance message bus. Two implementations honour this one
// contract (and one contract test suite): MemoryStore (embedded, one process) and RedisStore.
//
// Guarantees every implementation gives:
// - Atomicity: create / cas / remove on one key are atomic against every other caller in every
//   process sharing the store. Two callers racing a cas on the same version: exactly one wins,
//   the other gets Errc::Conflict (and re-reads). No lost update, ever.
// - Versions: a document carries a version (uint64 > 0) chosen by the caller; the stored JSON
//   text must contain the same number as its top-level "version" field (so operators reading
//   the key see it). cas succeeds only if the stored version equals `expected`.
// - Expiry: every write sets the key's time-to-live; `also_touch` keys get the same TTL in the
//   same call (a room and its code mapping live and die together).
// - Callbacks: invoked exactly once, on the calling event loop's thread — either inline before
//   the call returns (MemoryStore) or later (RedisStore). Callers must allow both.
// - Failure: when the store cannot answer (Redis down, circuit open, timeout) the callback gets
//   Errc::Unavailable or Errc::Timeout promptly; nothing blocks, nothing throws.
// - Bus: publish is at-most-once; subscribers on other instances may miss messages during an
//   outage (clients resynchronise from versioned documents). A subscription takes effect only
//   when the server has it (Redis answers SUBSCRIBE on its own connection, later): a message
//   published by anyone before that is not delivered to it. Stores that can tell report the
//   moment through on_subscribed(), so that a caller can hold its own publishes on a channel
//   until it hears that channel itself (BusAdapter does: an answer to a room broadcast can then
//   never overtake this instance's subscription).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace engage::store {

enum class Errc : uint8_t {
  Ok,
  NotFound,     // no such key (or expired)
  Conflict,     // cas/remove: version mismatch; create: key exists
  Unavailable,  // store down / circuit open / offline queue full
  Timeout,      // no answer within the call timeout
};
std::string_view errc_name(Errc e);

enum class State : uint8_t { Up, Connecting, Down };
std::string_view state_name(State s);

struct Doc {
  std::string value;     // JSON object text
  uint64_t version = 0;  // equals the "version" field inside value
};

using DoneFn = std::function<void(Errc)>;
using DocFn = std::function<void(Errc, Doc)>;
using StringFn = std::function<void(Errc, std::string)>;
using CountFn = std::function<void(Errc, int64_t count, int64_t ttl_ms)>;
using MessageFn = std::function<void(std::string_view channel, std::string_view payload)>;
using SubscribedFn = std::function<void(std::string_view channel)>;

class Store {
 public:
  virtual ~Store() = default;

  // --- documents ------------------------------------------------------------------------
  // Reads `key`. NotFound when absent.
  virtual void get(std::string key, DocFn cb) = 0;
  // Writes `key` only when absent (SET NX EX). Conflict when present.
  virtual void create(std::string key, Doc doc, int ttl_s, DoneFn cb) = 0;
  // Replaces `key` with `doc` iff its stored version == expected; on success refreshes the TTL of
  // `key` and of every key in also_touch. NotFound when absent, Conflict on version mismatch.
  virtual void cas(std::string key, uint64_t expected, Doc doc, int ttl_s,
                   std::vector<std::string> also_touch, DoneFn cb) = 0;
  // Deletes `key` and the keys in also_delete iff the stored version == expected (0 = any).
  virtual void remove(std::string key, uint64_t expected, std::vector<std::string> also_delete,
                      DoneFn cb) = 0;

  // --- plain strings (room code → room id) ------------------------------------------------
  // SET key value NX EX ttl. Conflict when the key exists (the code is taken).
  virtual void claim(std::string key, std::string value, int ttl_s, DoneFn cb) = 0;
  virtual void get_string(std::string key, StringFn cb) = 0;
  virtual void touch(std::vector<std::string> keys, int ttl_s, DoneFn cb) = 0;
  virtual void del(std::vector<std::string> keys, DoneFn cb) = 0;

  // --- counters (rate limits, shared by all instances) ------------------------------------
  // Increments `key`; the first increment starts a window of window_ms. Returns the count in
  // the current window and the time left in it.
  virtual void incr_window(std::string key, int64_t window_ms, CountFn cb) = 0;

  // --- bus (cross-instance broadcasts) ------------------------------------------------------
  // Publishes `payload` on `channel` to every subscriber in every process (not this one's own
  // subscription: callers deliver locally themselves). At-most-once.
  virtual void publish(std::string channel, std::string payload) = 0;
  // Subscribes while at least one subscribe() is outstanding for `channel` (counted).
  virtual void subscribe(const std::string& channel) = 0;
  virtual void unsubscribe(const std::string& channel) = 0;
  // Sets the handler for messages on subscribed channels (called on an arbitrary loop).
  virtual void on_message(MessageFn fn) = 0;
  // Sets the handler told that `channel` is subscribed: called (on an arbitrary loop, possibly
  // inline from subscribe()) once the server has confirmed the latest SUBSCRIBE sent for a
  // channel still wanted — from then on a message published on it by any process, after the
  // call, reaches this process — and again after each re-subscription (reconnect, slot move).
  // Returns false when the store cannot report confirmations (the default, e.g. a decorator
  // that does not forward it); the handler is then never called and callers must treat a
  // subscription as in place at once.
  virtual bool on_subscribed(SubscribedFn fn) {
    (void)fn;
    return false;
  }

  // --- health -------------------------------------------------------------------------------
  virtual State state() const = 0;            // any thread
  virtual std::string_view kind() const = 0;  // "memory" or "redis"
};

}  // namespace engage::store
