// HttpServer: listeners (one per loop with SO_REUSEPORT, or one that deals round robin) that
// hand accepted sockets to Connection objects on their loop.
#include "net/http_server.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/detail/socket_option.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>

#include "net/connection.h"
#include "net/loops.h"

namespace engage::net {

namespace {

using boost::system::error_code;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, Executor>;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr std::size_t kReadBufferBytes = 64 * 1024;  // per loop, shared by its connections
constexpr std::size_t kFdReserve = 64;  // fds kept for Redis, logs, files when deriving the cap
constexpr int kBacklog = 4096;

// Returns the default connection cap: RLIMIT_NOFILE minus a reserve for everything else.
std::size_t default_max_connections() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1 << 20;
  std::size_t n = static_cast<std::size_t>(rl.rlim_cur);
  return n > kFdReserve + 16 ? n - kFdReserve : 16;
}

// One listening socket bound to one loop. With SO_REUSEPORT each loop has one and the kernel
// spreads connections; otherwise loop 0's accepts onto every loop in turn.
struct Listener : std::enable_shared_from_this<Listener> {
  Listener(std::shared_ptr<ServerState> s, std::size_t loop)
      : srv(std::move(s)), loop_index(loop), acceptor(srv->loops.context(loop).get_executor()) {}

  void do_accept() {
    if (closed) return;
    std::size_t target = loop_index;
    if (deal_round_robin) target = next_loop++ % srv->loops.size();
    auto& ctx = srv->loops.context(target);
    acceptor.async_accept(ctx,
                          [self = shared_from_this(), target](const error_code& ec, Socket socket) {
                            self->on_accept(ec, std::move(socket), target);
                          });
  }

  void on_accept(const error_code& ec, Socket socket, std::size_t target) {
    if (closed || ec == asio::error::operation_aborted) return;
    if (ec) {
      // EMFILE and friends: the connection stays in the backlog, so back off instead of spinning.
      backoff = std::make_unique<Timer>(acceptor.get_executor());
      backoff->expires_after(std::chrono::milliseconds(50));
      backoff->async_wait([self = shared_from_this()](const error_code& e) {
        if (!e) self->do_accept();
      });
      return;
    }
    if (srv->connections.load(std::memory_order_relaxed) >= max_connections ||
        srv->stopping.load(std::memory_order_relaxed)) {
      srv->refused.fetch_add(1, std::memory_order_relaxed);
      error_code ignored;
      socket.close(ignored);
    } else if (target == loop_index) {
      start_connection(srv, target, std::move(socket));
    } else {
      auto holder = std::make_shared<Socket>(std::move(socket));
      srv->loops.post(
          target, [s = srv, target, holder] { start_connection(s, target, std::move(*holder)); });
    }
    do_accept();
  }

  static void start_connection(const std::shared_ptr<ServerState>& s, std::size_t loop,
                               Socket socket) {
    auto c = std::make_shared<Connection>(s, *s->loop_states[loop], std::move(socket));
    c->start();
  }

  void close() {
    closed = true;
    error_code ec;
    acceptor.close(ec);
    if (backoff) backoff->cancel();
  }

  std::shared_ptr<ServerState> srv;
  std::size_t loop_index;
  Acceptor acceptor;
  std::unique_ptr<Timer> backoff;
  std::size_t max_connections = 0;
  std::size_t next_loop = 0;
  bool deal_round_robin = false;
  bool closed = false;
};

// Runs fn on every loop and waits for all of them (inline on the caller's own loop); gives up
// waiting after `timeout` when a loop does not run.
void run_on_all_loops(Loops& loops, const std::function<void(std::size_t)>& fn,
                      std::chrono::milliseconds timeout) {
  std::vector<std::future<void>> done;
  for (std::size_t i = 0; i < loops.size(); ++i) {
    if (Loops::current() == static_cast<int>(i)) {
      fn(i);
      continue;
    }
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    loops.post(i, [p, fn, i] {
      fn(i);
      p->set_value();
    });
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& f : done) f.wait_until(deadline);
}

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<ServerState> state;
  std::vector<std::shared_ptr<Listener>> listeners;
  uint16_t port = 0;
  std::size_t max_connections = 0;
};

HttpServer::HttpServer(Loops& loops, HttpOptions options, HttpHandler& handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->state = std::make_shared<ServerState>(loops, std::move(options), handler);
  ServerState& s = *impl_->state;
  s.limits.max_header_bytes = s.opts.max_header_bytes;
  s.limits.max_headers = s.opts.max_headers;
  s.limits.max_uri_bytes = s.opts.max_uri_bytes;
  s.limits.max_body_bytes = s.opts.max_body_bytes;
  for (std::size_t i = 0; i < loops.size(); ++i) {
    auto ls = std::make_unique<LoopState>();
    ls->index = i;
    ls->read_buf.resize(kReadBufferBytes);
    s.loop_states.push_back(std::move(ls));
  }
  impl_->max_connections =
      s.opts.max_connections ? s.opts.max_connections : default_max_connections();
}

HttpServer::~HttpServer() {
  auto state = impl_->state;
  state->stopping = true;
  auto listeners = impl_->listeners;
  if (listeners.empty() && state->connections.load() == 0) return;  // never listened
  run_on_all_loops(
      state->loops,
      [state, listeners](std::size_t i) {
        for (auto& l : listeners)
          if (l->loop_index == i) l->close();
        LoopState& ls = *state->loop_states[i];
        while (ls.head) ls.head->shared_from_this()->shutdown_now(false);
      },
      std::chrono::milliseconds(1000));
}

std::string HttpServer::listen() {
  ServerState& s = *impl_->state;
  error_code ec;
  auto address = asio::ip::make_address(s.opts.host, ec);
  if (ec) return "invalid listen address '" + s.opts.host + "': " + ec.message();
  std::size_t n = s.opts.reuse_port ? s.loops.size() : 1;
  uint16_t port = s.opts.port;
  if (s.opts.reuse_port && port != 0) {
    // SO_REUSEPORT would let us join another process's listening group on this port without
    // an error: probe with a plain bind first so that "port in use" is still reported.
    Acceptor probe(s.loops.context(0).get_executor());
    asio::ip::tcp::endpoint ep(address, port);
    probe.open(ep.protocol(), ec);
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(ep, ec);
    if (ec)
      return "cannot listen on " + s.opts.host + ":" + std::to_string(port) + ": " + ec.message();
    probe.close(ec);
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto l = std::make_shared<Listener>(impl_->state, i);
    l->max_connections = impl_->max_connections;
    l->deal_round_robin = !s.opts.reuse_port && s.loops.size() > 1;
    asio::ip::tcp::endpoint ep(address, port);
    Acceptor& a = l->acceptor;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && s.opts.reuse_port) a.set_option(ReusePort(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(kBacklog, ec);
    if (ec) {
      for (auto& other : impl_->listeners) other->close();
      impl_->listeners.clear();
      return "cannot listen on " + s.opts.host + ":" + std::to_string(port) + ": " + ec.message();
    }
    if (port == 0) port = a.local_endpoint(ec).port();
    impl_->listeners.push_back(l);
  }
  impl_->port = port;
  for (auto& l : impl_->listeners) s.loops.post(l->loop_index, [l] { l->do_accept(); });
  return {};
}

uint16_t HttpServer::port() const {
  return impl_->port;
}

void HttpServer::stop_accepting() {
  for (auto& l : impl_->listeners) impl_->state->loops.post(l->loop_index, [l] { l->close(); });
}

void HttpServer::close_all() {
  auto state = impl_->state;
  state->loops.post_all([state] {
    int i = Loops::current();
    if (i < 0) return;
    LoopState& ls = *state->loop_states[static_cast<std::size_t>(i)];
    // shutdown_now may leave a WebSocket in the list while its close frame drains; walk a copy.
    std::vector<std::shared_ptr<Connection>> all;
    for (Connection* c = ls.head; c; c = c->next) all.push_back(c->shared_from_this());
    for (auto& c : all) c->shutdown_now(true);
  });
}

std::size_t HttpServer::connection_count() const {
  return impl_->state->connections.load(std::memory_order_relaxed);
}

uint64_t HttpServer::refused_count() const {
  return impl_->state->refused.load(std::memory_order_relaxed);
}

uint64_t HttpServer::slow_closed_count() const {
  return impl_->state->slow_closed.load(std::memory_order_relaxed);
}

std::size_t HttpServer::max_connections() const {
  return impl_->max_connections;
}

}  // namespace engage::net
