// RedisServer: a private redis-server for one test process, on a free loopback port with AOF
// on, started and stopped (by PID) by the test itself; plus a blocking hiredis client for checks.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace engage::store::testing {

class RedisServer {
 public:
  struct Options {
    std::string password;                 // --requirepass when not empty
    std::vector<std::string> extra_args;  // e.g. {"--user", "alice", "on", ">pw", "+@all"}
    std::string appendfsync = "always";   // acknowledged writes survive SIGKILL
  };

  // Picks a free port and a fresh directory; does not start the server yet.
  explicit RedisServer(Options opts);
  RedisServer() : RedisServer(Options{}) {}
  ~RedisServer();  // stops the server (SIGKILL if it does not exit) and removes its directory
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // True when a redis-server binary is on PATH.
  static bool available();

  // Starts (or restarts) the server on the same port and directory and waits until it answers
  // PING (≤ 10 s). False with a message on stderr when it does not come up.
  bool start();
  // Sends `sig` to the server and waits until the process has exited.
  void stop(int sig = SIGTERM);
  // Sends `sig` without waiting (SIGSTOP / SIGCONT).
  void signal(int sig);
  bool running() const { return pid_ > 0; }

  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // Returns redis://[:password@]127.0.0.1:port/db.
  std::string url(int db = 0) const;

  // Runs one command on a fresh blocking connection (AUTH with the server's password, SELECT
  // db) and returns the reply as text: strings and statuses as is, integers in decimal, nil as
  // nullopt, arrays as their elements joined by '\n', errors as "ERR: <text>".
  std::optional<std::string> command(const std::vector<std::string>& argv, int db = 0) const;

 private:
  Options opts_;
  uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

// Returns a TCP port on 127.0.0.1 that was free a moment ago.
uint16_t free_loopback_port();

}  // namespace engage::store::testing
