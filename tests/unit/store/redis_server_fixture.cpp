// RedisServer implementation: fork/exec redis-server, poll PING until ready, kill by PID.
#include "redis_server_fixture.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace engage::store::testing {

namespace {

std::string reply_text(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return std::string(r->str, r->len);
    case REDIS_REPLY_ERROR:
      return "ERR: " + std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (std::size_t i = 0; i < r->elements; ++i) {
        if (i) out += '\n';
        out += reply_text(r->element[i]);
      }
      return out;
    }
    default:
      return "";
  }
}

}  // namespace

uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool RedisServer::available() {
  return std::system("command -v redis-server >/dev/null 2>&1") == 0;
}

RedisServer::RedisServer(Options opts) : opts_(std::move(opts)) {
  port_ = free_loopback_port();
  char tmpl[] = "/tmp/engage-redis-XXXXXX";
  if (char* d = ::mkdtemp(tmpl)) dir_ = d;
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    signal(SIGCONT);
    stop(SIGKILL);
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url(int db) const {
  std::string auth = opts_.password.empty() ? "" : ":" + opts_.password + "@";
  return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

bool RedisServer::start() {
  if (pid_ > 0) return true;
  std::vector<std::string> args = {"redis-server",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--dir",
                                   dir_,
                                   "--appendonly",
                                   "yes",
                                   "--appendfsync",
                                   opts_.appendfsync,
                                   "--save",
                                   "",
                                   "--daemonize",
                                   "no",
                                   "--protected-mode",
                                   "no",
                                   "--logfile",
                                   dir_ + "/redis.log"};
  if (!opts_.password.empty()) {
    args.push_back("--requirepass");
    args.push_back(opts_.password);
  }
  for (const auto& a : opts_.extra_args) args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::fprintf(stderr, "redis-server exited at start-up (see %s/redis.log)\n", dir_.c_str());
      return false;
    }
    auto pong = command({"PING"});
    if (pong && *pong == "PONG") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "redis-server did not answer PING within 10 s\n");
  return false;
}

void RedisServer::stop(int sig) {
  if (pid_ <= 0) return;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<std::string> RedisServer::command(const std::vector<std::string>& argv,
                                                int db) const {
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (c == nullptr) return std::nullopt;
  if (c->err) {
    redisFree(c);
    return std::nullopt;
  }
  redisSetTimeout(c, tv);
  auto run = [c](const std::vector<std::string>& a) -> redisReply* {
    std::vector<const char*> p;
    std::vector<size_t> l;
    for (const auto& s : a) {
      p.push_back(s.data());
      l.push_back(s.size());
    }
    return static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(a.size()), p.data(), l.data()));
  };
  if (!opts_.password.empty()) {
    if (auto* r = run({"AUTH", opts_.password})) freeReplyObject(r);
  }
  if (db != 0) {
    if (auto* r = run({"SELECT", std::to_string(db)})) freeReplyObject(r);
  }
  redisReply* r = run(argv);
  std::optional<std::string> out;
  if (r != nullptr && r->type != REDIS_REPLY_NIL) out = reply_text(r);
  if (r != nullptr) freeReplyObject(r);
  redisFree(c);
  return out;
}

}  // namespace engage::store::testing
