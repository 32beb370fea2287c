// net-idle-memory: RSS growth per idle WebSocket client of a tiny echo server built on
// engage_net. Forks the server, opens N WebSocket clients that each send one message and get
// its echo, then reads the server's VmRSS.
// Usage: net-idle-memory [clients=5000] [loops=1] [reuse_port=1]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/http_server.h"
#include "net/loops.h"
#include "net/ws_codec.h"

namespace {

using namespace engage;

// The server side: accepts every upgrade and echoes each message.
class Echo : public net::HttpHandler {
 public:
  void on_request(http::Request, std::size_t, http::Respond respond) override {
    respond(http::Response::json(200, "{}"));
  }
  UpgradeDecision on_upgrade(const http::Request&, std::size_t) override {
    UpgradeDecision d;
    d.accepted = [](net::WebSocketPtr ws) {
      net::WebSocket* raw = ws.get();  // valid while its handlers run
      ws->set_handlers({[raw](std::string_view data, bool binary) {
                          raw->send(std::make_shared<const std::string>(data), binary);
                        },
                        [](uint16_t) {}});
    };
    return d;
  }
};

[[noreturn]] void run_server(int port_pipe, std::size_t loops_n, bool reuse_port) {
  net::Loops loops(loops_n);
  Echo echo;
  net::HttpOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.reuse_port = reuse_port;
  net::HttpServer server(loops, o, echo);
  std::string err = server.listen();
  uint16_t port = err.empty() ? server.port() : 0;
  if (write(port_pipe, &port, sizeof port) != sizeof port) _exit(2);
  close(port_pipe);
  loops.run();
  _exit(0);
}

long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

bool send_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads until `needle` appears or n bytes arrived (whichever the caller wants).
bool read_until(int fd, std::string& buf, const char* needle, std::size_t min_bytes) {
  char tmp[4096];
  while ((needle && buf.find(needle) == std::string::npos) || buf.size() < min_bytes) {
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf.append(tmp, static_cast<std::size_t>(n));
  }
  return true;
}

// Opens one client: upgrade, one message, its echo. Returns the fd or -1.
int open_client(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  std::string buf;
  const std::string msg = "42[\"hello\"]";
  bool ok = send_all(fd,
                     "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
                     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n") &&
            read_until(fd, buf, "\r\n\r\n", 0) && buf.rfind("HTTP/1.1 101", 0) == 0;
  if (ok) {
    buf.erase(0, buf.find("\r\n\r\n") + 4);
    ok = send_all(fd, net::ws::encode_client_frame(net::ws::Opcode::Text, msg, 0x11223344)) &&
         read_until(fd, buf, nullptr, 2 + msg.size());
  }
  if (!ok) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 5000;
  std::size_t loops_n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
  bool reuse_port = argc > 3 ? std::strtoul(argv[3], nullptr, 10) != 0 : true;
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < n + 100) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, n + 100);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int p[2];
  if (pipe(p) != 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    run_server(p[1], loops_n, reuse_port);
  }
  close(p[1]);
  uint16_t port = 0;
  if (read(p[0], &port, sizeof port) != sizeof port || port == 0) {
    std::fprintf(stderr, "server did not start\n");
    kill(pid, SIGKILL);
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long start = rss_kib(pid);
  // Warm up: one client and its release, so one-time allocations are not counted per client.
  if (int fd = open_client(port); fd >= 0) close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  long before = rss_kib(pid);
  std::vector<int> fds;
  fds.reserve(n);
  auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    int fd = open_client(port);
    if (fd < 0) {
      std::fprintf(stderr, "client %zu failed\n", i);
      break;
    }
    fds.push_back(fd);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  long after = rss_kib(pid);
  double per_client =
      fds.empty() ? 0.0
                  : static_cast<double>(after - before) * 1024.0 / static_cast<double>(fds.size());
  std::printf(
      "server loops=%zu reuse_port=%d clients=%zu rss_start=%ld KiB rss_before=%ld KiB "
      "rss_after=%ld KiB "
      "growth=%ld KiB per_client=%.0f bytes (%.2f KiB) connect+echo %.2f s\n",
      loops_n, reuse_port ? 1 : 0, fds.size(), start, before, after, after - before, per_client,
      per_client / 1024.0, secs);
  for (int fd : fds) close(fd);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return fds.size() == n ? 0 : 1;
}
