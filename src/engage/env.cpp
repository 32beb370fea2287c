// Shared application services: local room presence, broadcasts, errors, the expiry sweep.
#include "engage/env.h"

#include <ctime>
#include <memory>

#include "core/clock.h"

namespace engage::engage {

namespace {
std::string local_key(const std::string& nsp, const std::string& id) {
  return nsp + "\n" + id;
}
}  // namespace

void LocalRooms::add(const std::string& nsp, const std::string& prefix,
                     const std::string& room_id) {
  std::lock_guard lock(mu_);
  auto& e = rooms_[local_key(nsp, room_id)];
  e.nsp = nsp;
  e.prefix = prefix;
  e.room_id = room_id;
  ++e.sockets;
}

void LocalRooms::remove(const std::string& nsp, const std::string& room_id) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(local_key(nsp, room_id));
  if (it != rooms_.end() && --it->second.sockets <= 0) rooms_.erase(it);
}

void LocalRooms::forget(const std::string& nsp, const std::string& room_id) {
  std::lock_guard lock(mu_);
  rooms_.erase(local_key(nsp, room_id));
}

std::vector<LocalRooms::Entry> LocalRooms::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  out.reserve(rooms_.size());
  for (const auto& [k, e] : rooms_) out.push_back(e);
  return out;
}

std::size_t LocalRooms::size() const {
  std::lock_guard lock(mu_);
  return rooms_.size();
}

SocketState& socket_state(const sio::SocketPtr& s) {
  if (!s->data) s->data = std::make_shared<SocketState>();
  return *std::static_pointer_cast<SocketState>(s->data);
}

void Env::to_room(const std::string& nsp, const std::string& room_id, std::string_view event,
                  json::Value payload, const std::string& except) {
  sio::BroadcastTarget t;
  t.nsp = nsp;
  t.rooms.push_back(room_id);
  if (!except.empty()) t.except.push_back(except);
  io.broadcast(t, event, one_arg(std::move(payload)));
}

std::optional<ApiError> Env::check_limit(std::string_view user, std::string_view action) const {
  if (hooks.count) hooks.count(action);
  if (!hooks.limit) return std::nullopt;
  return hooks.limit(user, action);
}

void Env::sweep() {
  for (const auto& e : local.snapshot()) {
    const std::string key = Rooms::room_key(e.prefix, e.room_id);
    rooms.store().get(key, [this, e, key](store::Errc rc, store::Doc d) {
      if (rc == store::Errc::NotFound) {
        json::Object o;
        o.reserve(16);
        o.emplace_back("roomId", e.room_id);
        o.emplace_back("reason", "expired");
        to_room(e.nsp, e.room_id, "room_closed", json::Value(std::move(o)));
        local.forget(e.nsp, e.room_id);
        return;
      }
      if (rc != store::Errc::Ok) return;  // store trouble: try again next sweep
      std::vector<std::string> keys{key};
      if (auto doc = json::parse(d.value); doc) {
        std::string ck = Rooms::code_key_of(e.prefix, *doc);
        if (!ck.empty()) keys.push_back(std::move(ck));
      }
      rooms.store().touch(std::move(keys), limits.room_ttl_s, [](store::Errc) {});
    });
  }
}

std::string iso8601(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

void emit_error(const sio::SocketPtr& s, const ApiError& e, const sio::AckFn& ack) {
  if (s->connected()) s->emit("error", one_arg(out_error(e)));
  if (ack) {
    json::Object o;
    o.reserve(16);
    o.emplace_back("success", false);
    o.emplace_back("error", e.message);
    o.emplace_back("code", e.code);
    if (e.retry_after_ms > 0) o.emplace_back("retryAfterMs", e.retry_after_ms);
    ack(one_arg(json::Value(std::move(o))));
  }
}

void ack_ok(const sio::AckFn& ack, const json::Value& extra) {
  if (!ack) return;
  json::Object o;
  o.reserve(16);
  o.emplace_back("success", true);
  if (extra.is_object())
    for (const auto& m : extra.as_object()) o.push_back(m);
  ack(one_arg(json::Value(std::move(o))));
}

}  // namespace engage::engage
