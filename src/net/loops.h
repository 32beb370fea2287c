// Loops: one Asio io_context per core; every connection, timer and room belongs to one loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace engage::net {

// Owns N single-threaded event loops. Work for another loop is posted, never locked across I/O.
class Loops {
 public:
  explicit Loops(std::size_t n);
  ~Loops();
  Loops(const Loops&) = delete;
  Loops& operator=(const Loops&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t i) { return *contexts_[i]; }

  // Runs fn on loop i (always queued, never inline). Thread-safe.
  void post(std::size_t i, std::function<void()> fn);
  // Runs fn on loop i: inline when called on loop i, else queued. Thread-safe.
  void dispatch(std::size_t i, std::function<void()> fn);
  // Runs fn once on every loop (queued). Thread-safe.
  void post_all(const std::function<void()>& fn);

  // Runs loops 1..N-1 on new threads and loop 0 on the calling thread; returns when stopped.
  void run();
  // Runs loops 0..N-1 on new threads and returns at once (tests, tools).
  void start();
  // Asks every loop to stop and joins the threads started by run()/start(). Thread-safe to
  // call stop(); join happens in the caller of run() or in the destructor.
  void stop();
  void join();

  // Index of the loop running on the calling thread, or -1 when not on a loop thread.
  static int current();

 private:
  void run_loop(std::size_t i);
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<
      std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>>
      guards_;
  std::vector<std::thread> threads_;
};

}  // namespace engage::net
