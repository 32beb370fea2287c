// make_store and the shared name tables of store.h.
#include "store/factory.h"

#include "store/memory_store.h"

namespace engage::store {

std::string_view errc_name(Errc e) {
  switch (e) {
    case Errc::Ok:
      return "ok";
    case Errc::NotFound:
      return "not_found";
    case Errc::Conflict:
      return "conflict";
    case Errc::Unavailable:
      return "unavailable";
    case Errc::Timeout:
      return "timeout";
  }
  return "unknown";
}

std::string_view state_name(State s) {
  switch (s) {
    case State::Up:
      return "up";
    case State::Connecting:
      return "connecting";
    case State::Down:
      return "down";
  }
  return "unknown";
}

std::unique_ptr<Store> make_store(const StoreConfig& cfg, net::Loops& loops, std::string& error) {
  (void)loops;
  if (cfg.wants_redis()) {
    error = "Redis is configured but this build has no Redis store";
    return nullptr;
  }
  MemoryStoreOptions o;
  o.clock = cfg.clock;
  return std::make_unique<MemoryStore>(o);
}

}  // namespace engage::store
