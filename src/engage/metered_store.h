// MeteredStore: a store::Store decorator that times every call (engage_store_operation_seconds
// by operation, from the call to its callback) and reports whether the store answers
// (engage_store_up). The application and the rate limiter use it; the bus adapter need not.
#pragma once

#include "store/store.h"

namespace engage::engage {

class MeteredStore final : public store::Store {
 public:
  explicit MeteredStore(store::Store& inner) : inner_(inner) {}

  void get(std::string key, store::DocFn cb) override;
  void create(std::string key, store::Doc doc, int ttl_s, store::DoneFn cb) override;
  void cas(std::string key, uint64_t expected, store::Doc doc, int ttl_s,
           std::vector<std::string> also_touch, store::DoneFn cb) override;
  void remove(std::string key, uint64_t expected, std::vector<std::string> also_delete,
              store::DoneFn cb) override;
  void claim(std::string key, std::string value, int ttl_s, store::DoneFn cb) override;
  void get_string(std::string key, store::StringFn cb) override;
  void touch(std::vector<std::string> keys, int ttl_s, store::DoneFn cb) override;
  void del(std::vector<std::string> keys, store::DoneFn cb) override;
  void incr_window(std::string key, int64_t window_ms, store::CountFn cb) override;
  void publish(std::string channel, std::string payload) override {
    inner_.publish(std::move(channel), std::move(payload));
  }
  void subscribe(const std::string& channel) override { inner_.subscribe(channel); }
  void unsubscribe(const std::string& channel) override { inner_.unsubscribe(channel); }
  void on_message(store::MessageFn fn) override { inner_.on_message(std::move(fn)); }
  store::State state() const override;
  std::string_view kind() const override { return inner_.kind(); }

  store::Store& inner() { return inner_; }

 private:
  store::Store& inner_;
};

}  // namespace engage::engage
