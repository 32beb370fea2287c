// BusAdapter: room broadcasts between instances over the Store's pub/sub bus.
#include "store/bus_adapter.h"

#include <algorithm>
#include <utility>

#include "core/random.h"

namespace engage::store {

std::shared_ptr<BusAdapter> BusAdapter::install(Store& store, sio::Server& io,
                                                BusAdapterOptions options) {
  auto adapter = std::make_shared<BusAdapter>(store, io, std::move(options));
  std::weak_ptr<BusAdapter> weak = adapter;
  store.on_message([weak](std::string_view channel, std::string_view payload) {
    if (auto a = weak.lock()) a->on_bus_message(channel, payload);
  });
  bool confirms = store.on_subscribed([weak](std::string_view channel) {
    if (auto a = weak.lock()) a->on_subscribed(channel);
  });
  {
    std::lock_guard lock(adapter->mu_);
    adapter->confirms_ = confirms;
  }
  io.set_adapter(adapter);
  return adapter;
}

BusAdapter::BusAdapter(Store& store, sio::Server& io, BusAdapterOptions options)
    : store_(store), io_(io), options_(std::move(options)) {
  while (options_.instance_id == 0) options_.instance_id = Random::get().next_u64();
}

BusAdapter::~BusAdapter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

BusAdapter::TimePoint BusAdapter::now() const {
  return (options_.clock ? *options_.clock : Clock::get()).steady();
}

void BusAdapter::add_namespace(const std::string& nsp) {
  add_ref(bus::nsp_channel(options_.prefix, nsp));
}

void BusAdapter::publish(const sio::BroadcastTarget& to,
                         std::shared_ptr<const std::vector<std::string>> frames, bool has_binary) {
  if (!frames || frames->empty()) return;
  bus::Message m;
  m.sender = options_.instance_id;
  m.nsp = to.nsp;
  m.rooms = to.rooms;
  m.except = to.except;
  m.frames = *frames;
  m.has_binary = has_binary;
  std::string payload = bus::encode(m);
  const TimePoint t = now();
  std::lock_guard lock(mu_);
  if (to.rooms.empty()) {
    publish_locked(bus::nsp_channel(options_.prefix, to.nsp), std::move(payload), t);
    return;
  }
  for (std::size_t i = 0; i < to.rooms.size(); ++i) {
    bool repeated = false;  // a room listed twice is published (and delivered) once
    for (std::size_t j = 0; j < i && !repeated; ++j) repeated = to.rooms[j] == to.rooms[i];
    if (repeated) continue;
    publish_locked(bus::room_channel(options_.prefix, to.nsp, to.rooms[i]), payload, t);
  }
}

void BusAdapter::publish_locked(const std::string& channel, std::string payload, TimePoint t) {
  auto it = channels_.find(channel);
  if (it != channels_.end() && !it->second.open) {
    Channel& c = it->second;
    if (!c.held.empty() && t - c.held_since >= std::chrono::milliseconds(options_.hold_max_ms)) {
      release_locked(channel, c, stats_.hold_timeouts);
    } else if (c.held.size() >= options_.hold_max_messages ||
               c.held_bytes + payload.size() > options_.hold_max_bytes) {
      release_locked(channel, c, stats_.hold_overflows);
      stats_.hold_overflows.fetch_add(1, std::memory_order_relaxed);  // this one too
    } else {
      if (c.held.empty()) {
        c.held_since = t;
        if (options_.hold_timer && !timer_.joinable() && !stopping_)
          timer_ = std::thread([this] { timer_main(); });
        timer_cv_.notify_all();
      }
      c.held_bytes += payload.size();
      c.held.push_back(std::move(payload));
      stats_.held.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  store_.publish(channel, std::move(payload));
  stats_.published.fetch_add(1, std::memory_order_relaxed);
}

void BusAdapter::release_locked(const std::string& channel, Channel& c,
                                std::atomic<uint64_t>& counter) {
  counter.fetch_add(c.held.size(), std::memory_order_relaxed);
  stats_.published.fetch_add(c.held.size(), std::memory_order_relaxed);
  for (auto& payload : c.held) store_.publish(channel, std::move(payload));
  c.held.clear();
  c.held_bytes = 0;
  c.open = true;
}

void BusAdapter::on_subscribed(std::string_view channel) {
  std::lock_guard lock(mu_);
  auto it = channels_.find(std::string(channel));
  if (it == channels_.end() || it->second.open) return;  // not ours, or already open
  release_locked(it->first, it->second, stats_.flushed);
}

std::optional<BusAdapter::TimePoint> BusAdapter::release_expired_locked(TimePoint t) {
  const auto limit = std::chrono::milliseconds(options_.hold_max_ms);
  std::optional<TimePoint> next;
  for (auto& [channel, c] : channels_) {
    if (c.open || c.held.empty()) continue;
    if (t - c.held_since >= limit) {
      release_locked(channel, c, stats_.hold_timeouts);
    } else if (!next || c.held_since + limit < *next) {
      next = c.held_since + limit;
    }
  }
  return next;
}

void BusAdapter::release_expired() {
  std::lock_guard lock(mu_);
  release_expired_locked(now());
}

std::size_t BusAdapter::held(const std::string& channel) const {
  std::lock_guard lock(mu_);
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.held.size();
}

void BusAdapter::timer_main() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const TimePoint t = now();
    std::optional<TimePoint> next = release_expired_locked(t);
    if (!next) {
      timer_cv_.wait(lock);
    } else {
      // Sleeps until the earliest deadline (by the adapter's clock; at least 1 ms).
      auto wait =
          std::max<std::chrono::steady_clock::duration>(*next - t, std::chrono::milliseconds(1));
      timer_cv_.wait_for(lock, wait);
    }
  }
}

void BusAdapter::room_opened(const std::string& nsp, const std::string& room) {
  add_ref(bus::room_channel(options_.prefix, nsp, room));
}

void BusAdapter::room_closed(const std::string& nsp, const std::string& room) {
  drop_ref(bus::room_channel(options_.prefix, nsp, room));
}

void BusAdapter::add_ref(const std::string& channel) {
  std::lock_guard lock(mu_);
  Channel& c = channels_[channel];
  if (++c.refs == 1) {
    c.open = !confirms_;
    stats_.channels.fetch_add(1, std::memory_order_relaxed);
    store_.subscribe(channel);  // may confirm inline (MemoryStore): c is in place already
  }
}

void BusAdapter::drop_ref(const std::string& channel) {
  std::lock_guard lock(mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;  // unbalanced close: nothing to undo
  if (--it->second.refs > 0) return;
  // Our last member left before the confirmation: the others may still want the messages.
  release_locked(it->first, it->second, stats_.hold_closed);
  channels_.erase(it);
  store_.unsubscribe(channel);
  stats_.channels.fetch_sub(1, std::memory_order_relaxed);
}

void BusAdapter::on_bus_message(std::string_view channel, std::string_view payload) {
  auto decoded = bus::decode(payload, options_.limits);
  if (!decoded) {
    stats_.bad_messages.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  bus::Message& m = *decoded;
  if (m.sender == options_.instance_id) {
    stats_.own_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  sio::BroadcastTarget to;
  to.nsp = std::move(m.nsp);
  to.except = std::move(m.except);
  if (m.rooms.empty()) {
    if (channel != bus::nsp_channel(options_.prefix, to.nsp)) {
      stats_.stray_messages.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } else {
    // Heard on the channel of rooms[i]: deliver to that room's members that are in none of the
    // earlier rooms (those heard it, or will, on the earlier rooms' channels).
    std::size_t i = 0;
    while (i < m.rooms.size() &&
           !bus::is_room_channel(channel, options_.prefix, to.nsp, m.rooms[i]))
      ++i;
    if (i == m.rooms.size()) {
      stats_.stray_messages.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    for (std::size_t j = 0; j < i; ++j) to.except.push_back(std::move(m.rooms[j]));
    to.rooms.push_back(std::move(m.rooms[i]));
  }
  stats_.received.fetch_add(1, std::memory_order_relaxed);
  auto frames = std::make_shared<const std::vector<std::string>>(std::move(m.frames));
  io_.deliver_remote(to, std::move(frames), m.has_binary);
}

}  // namespace engage::store
