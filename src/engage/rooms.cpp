// Room documents over the Store: create with a claimed code, resolve, and CAS-retried updates.
#include "engage/rooms.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/random.h"

namespace engage::engage {

namespace {

ApiError corrupt() {
  return {"Invalid room data", code::kInternal, 500};
}

Expected<json::Value, ApiError> parse_doc(const std::string& text) {
  auto v = json::parse(text);
  if (!v || !v->is_object()) return Unexpected{corrupt()};
  return std::move(*v);
}

ApiError from_errc(store::Errc) {
  return unavailable();
}

}  // namespace

bool is_room_code(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string Rooms::room_key(std::string_view prefix, std::string_view id) {
  std::string k(prefix);
  k += ":room:";
  k += id;
  return k;
}

std::string Rooms::code_key(std::string_view prefix, std::string_view code) {
  std::string k(prefix);
  k += ":code:";
  k += code;
  return k;
}

std::string Rooms::code_key_of(std::string_view prefix, const json::Value& doc) {
  const json::Value* c = doc.find("roomCode");
  if (!c || !c->is_string() || c->as_string().empty()) return {};
  return code_key(prefix, c->as_string());
}

std::string Rooms::new_room_id(int64_t now_ms) {
  static const char* alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id = "room_" + std::to_string(now_ms) + "_";
  Random& r = Random::get();
  for (int i = 0; i < 9; ++i) id += alphabet[r.uniform(36)];
  return id;
}

void Rooms::load(std::string prefix, std::string id, ApiError not_found, DocFn cb) {
  store_.get(room_key(prefix, id),
             [cb = std::move(cb), nf = std::move(not_found)](store::Errc e, store::Doc d) {
               if (e == store::Errc::NotFound) return cb(Unexpected{nf});
               if (e != store::Errc::Ok) return cb(Unexpected{from_errc(e)});
               cb(parse_doc(d.value));
             });
}

void Rooms::create(std::string prefix, BuildFn build, DocFn cb) {
  struct Attempt : std::enable_shared_from_this<Attempt> {
    Rooms* self;
    std::string prefix;
    BuildFn build;
    DocFn cb;
    int left;
    void run() {
      if (left-- <= 0) return cb(Unexpected{unavailable()});
      const int64_t now = Clock::get().now_ms();
      std::string id = new_room_id(now);
      std::string code = random_room_code();
      std::string ck = code_key(prefix, code);
      auto me = shared_from_this();
      self->store_.claim(ck, id, self->limits_.room_ttl_s, [me, id, code, ck](store::Errc e) {
        if (e == store::Errc::Conflict) return me->run();  // code taken
        if (e != store::Errc::Ok) return me->cb(Unexpected{from_errc(e)});
        json::Value doc = me->build(id, code);
        const json::Value* ver = doc.find("version");
        uint64_t v = ver && ver->as_int() ? static_cast<uint64_t>(*ver->as_int()) : 1;
        std::string text = doc.dump();  // before the capture moves doc
        me->self->store_.create(room_key(me->prefix, id), store::Doc{std::move(text), v},
                                me->self->limits_.room_ttl_s,
                                [me, doc, ck](store::Errc e2) mutable {
                                  if (e2 == store::Errc::Ok) return me->cb(std::move(doc));
                                  me->self->store_.del({ck}, [](store::Errc) {});
                                  if (e2 == store::Errc::Conflict) return me->run();
                                  me->cb(Unexpected{from_errc(e2)});
                                });
      });
    }
  };
  auto a = std::make_shared<Attempt>();
  a->self = this;
  a->prefix = std::move(prefix);
  a->build = std::move(build);
  a->cb = std::move(cb);
  a->left = limits_.code_claim_attempts;
  a->run();
}

void Rooms::resolve(std::string prefix, RoomRef ref, ApiError invalid_code, IdFn cb) {
  std::string code;
  if (!ref.room_id.empty()) {
    if (is_room_code(ref.room_id)) {
      code = ref.room_id;
    } else if (ref.room_id.size() == 11 && ref.room_id.rfind("room_", 0) == 0 &&
               is_room_code(std::string_view(ref.room_id).substr(5))) {
      // The original watch screen joined "room_" + the 6-digit code it showed.
      code = ref.room_id.substr(5);
    } else {
      return cb(std::move(ref.room_id));
    }
  } else if (!is_room_code(ref.room_code)) {
    // A room id sent as a code (the shipped engage-on screen does this): accept it as an id.
    return cb(std::move(ref.room_code));
  } else {
    code = ref.room_code;
  }
  store_.get_string(code_key(prefix, code), [cb = std::move(cb), invalid = std::move(invalid_code)](
                                                store::Errc e, std::string id) {
    if (e == store::Errc::NotFound) return cb(Unexpected{invalid});
    if (e != store::Errc::Ok) return cb(Unexpected{from_errc(e)});
    cb(std::move(id));
  });
}

struct Rooms::Update : std::enable_shared_from_this<Rooms::Update> {
  Rooms* self;
  std::string prefix;
  std::string key;
  ApiError not_found;
  Mutator mutate;
  CommitFn cb;
  int left;
  int attempt = 0;
  bool tried_cache = false;  // the cached document is offered once per update
  bool cached = false;       // the current attempt works on the cached document

  void run() {
    if (!tried_cache) {
      tried_cache = true;
      if (auto c = self->docs_.take_any(key)) {
        cached = true;
        return apply(c->version, std::move(c->value));
      }
    }
    cached = false;
    auto me = shared_from_this();
    self->store_.get(key, [me](store::Errc e, store::Doc d) { me->on_read(e, std::move(d)); });
  }

  // Calls back exactly once, then hands the room to the next queued update.
  void finish(Expected<Committed, ApiError> r) {
    auto me = shared_from_this();  // keeps key alive past cb
    CommitFn done = std::move(cb);
    done(std::move(r));
    self->release(key);
  }

  void on_read(store::Errc e, store::Doc d) {
    if (e == store::Errc::NotFound) return finish(Unexpected{not_found});
    if (e != store::Errc::Ok) return finish(Unexpected{from_errc(e)});
    auto parsed = parse_doc(d.value);
    if (!parsed) return finish(Unexpected{parsed.error()});
    apply(d.version, std::move(*parsed));
  }

  // Applies mutate to `doc` (stored at `version`) and writes the outcome.
  void apply(uint64_t version, json::Value doc) {
    auto verdict = mutate(doc);
    // A refusal or a no-op decided on the cached copy is checked against the stored document.
    if (cached && (!verdict || *verdict == Outcome::Keep)) return run();
    if (!verdict) return finish(Unexpected{verdict.error()});
    const std::string ck = code_key_of(prefix, doc);
    auto me = shared_from_this();
    const int ttl = self->limits_.room_ttl_s;
    switch (*verdict) {
      case Outcome::Keep: {
        std::vector<std::string> keys{key};
        if (!ck.empty()) keys.push_back(ck);
        self->store_.touch(std::move(keys), ttl, [](store::Errc) {});
        return finish(Committed{std::move(doc), Outcome::Keep});
      }
      case Outcome::Delete: {
        std::vector<std::string> also;
        if (!ck.empty()) also.push_back(ck);
        self->store_.remove(key, version, std::move(also),
                            [me, doc = std::move(doc)](store::Errc e2) mutable {
                              me->on_written(e2, std::move(doc), Outcome::Delete, 0);
                            });
        return;
      }
      case Outcome::Write: {
        const uint64_t next = version + 1;
        doc.set("version", next);
        doc.set("lastActivity", Clock::get().now_ms());
        std::vector<std::string> also;
        if (!ck.empty()) also.push_back(ck);
        std::string text = doc.dump();  // before the capture below moves doc away
        self->store_.cas(key, version, store::Doc{std::move(text), next}, ttl, std::move(also),
                         [me, next, doc = std::move(doc)](store::Errc e2) mutable {
                           me->on_written(e2, std::move(doc), Outcome::Write, next);
                         });
        return;
      }
    }
  }

  void on_written(store::Errc e, json::Value doc, Outcome o, uint64_t version) {
    if (e == store::Errc::Ok) {
      if (o == Outcome::Write) self->docs_.put(key, version, doc);
      return finish(Committed{std::move(doc), o});
    }
    if (e == store::Errc::Conflict && cached) return run();  // another instance wrote: read it
    if (e == store::Errc::Conflict) {
      // Another instance wrote the room: back off (jittered, exponential, capped) and retry.
      if (left-- <= 0) return finish(Unexpected{unavailable()});
      auto me = shared_from_this();
      const int64_t cap = self->limits_.cas_backoff_max_ms;
      if (!self->defer_ || cap <= 0) return run();
      const int shift = attempt < 10 ? attempt : 10;
      ++attempt;
      const int64_t ceiling = std::min<int64_t>(cap, int64_t{1} << shift);
      const int64_t delay =
          static_cast<int64_t>(Random::get().uniform(static_cast<uint32_t>(ceiling) + 1));
      self->defer_(delay, [me] { Rooms::start(me); });
      return;
    }
    if (e == store::Errc::NotFound) return finish(Unexpected{not_found});
    finish(Unexpected{from_errc(e)});
  }
};

void Rooms::start(std::shared_ptr<Update> u) {
  // A trampoline: an inline store completes an update (and releases the next one) inside
  // run(); the next one is run by the outermost start() on this thread, not recursively.
  thread_local std::vector<std::shared_ptr<Update>>* pending = nullptr;
  if (pending) {
    pending->push_back(std::move(u));
    return;
  }
  std::vector<std::shared_ptr<Update>> local;
  local.push_back(std::move(u));
  pending = &local;
  for (std::size_t i = 0; i < local.size(); ++i) {
    std::shared_ptr<Update> next = std::move(local[i]);
    next->run();
  }
  pending = nullptr;
}

void Rooms::enqueue(std::shared_ptr<Update> u) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    auto [it, idle] = queues_.try_emplace(u->key);
    if (!idle) {
      it->second.push_back(std::move(u));
      return;
    }
  }
  start(std::move(u));
}

void Rooms::release(const std::string& key) {
  std::shared_ptr<Update> next;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    auto it = queues_.find(key);
    if (it == queues_.end()) return;
    if (it->second.empty()) {
      queues_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  start(std::move(next));
}

std::size_t Rooms::busy_rooms() const {
  std::lock_guard<std::mutex> lock(queue_mu_);
  return queues_.size();
}

void Rooms::update(std::string prefix, std::string id, ApiError not_found, Mutator mutate,
                   CommitFn cb) {
  auto u = std::make_shared<Update>();
  u->self = this;
  u->key = room_key(prefix, id);
  u->prefix = std::move(prefix);
  u->not_found = std::move(not_found);
  u->mutate = std::move(mutate);
  u->cb = std::move(cb);
  u->left = limits_.max_cas_retries;
  enqueue(std::move(u));
}

}  // namespace engage::engage
