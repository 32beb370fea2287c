// BusAdapter: room broadcasts between instances over the Store's pub/sub bus.
#include "store/bus_adapter.h"

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
  io.set_adapter(adapter);
  return adapter;
}

BusAdapter::BusAdapter(Store& store, sio::Server& io, BusAdapterOptions options)
    : store_(store), io_(io), options_(std::move(options)) {
  while (options_.instance_id == 0) options_.instance_id = Random::get().next_u64();
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
  if (to.rooms.empty()) {
    store_.publish(bus::nsp_channel(options_.prefix, to.nsp), std::move(payload));
    stats_.published.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  for (std::size_t i = 0; i < to.rooms.size(); ++i) {
    bool repeated = false;  // a room listed twice is published (and delivered) once
    for (std::size_t j = 0; j < i && !repeated; ++j) repeated = to.rooms[j] == to.rooms[i];
    if (repeated) continue;
    std::string channel = bus::room_channel(options_.prefix, to.nsp, to.rooms[i]);
    store_.publish(std::move(channel), payload);
    stats_.published.fetch_add(1, std::memory_order_relaxed);
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
  if (++refs_[channel] == 1) {
    store_.subscribe(channel);
    stats_.channels.fetch_add(1, std::memory_order_relaxed);
  }
}

void BusAdapter::drop_ref(const std::string& channel) {
  std::lock_guard lock(mu_);
  auto it = refs_.find(channel);
  if (it == refs_.end()) return;  // unbalanced close: nothing to undo
  if (--it->second > 0) return;
  refs_.erase(it);
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
