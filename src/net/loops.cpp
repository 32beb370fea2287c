// Loops implementation: N io_contexts, each run by exactly one thread.
#include "net/loops.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

namespace engage::net {

namespace {
thread_local int t_current_loop = -1;
}

Loops::Loops(std::size_t n) {
  if (n == 0) n = 1;
  for (std::size_t i = 0; i < n; ++i) {
    // Concurrency hint 1: each context is run by one thread, so Asio can skip its locking.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.push_back(
        std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
            contexts_.back()->get_executor()));
  }
}

Loops::~Loops() {
  stop();
  join();
}

void Loops::post(std::size_t i, std::function<void()> fn) {
  boost::asio::post(*contexts_[i], std::move(fn));
}

void Loops::dispatch(std::size_t i, std::function<void()> fn) {
  if (t_current_loop == static_cast<int>(i)) {
    fn();
    return;
  }
  boost::asio::post(*contexts_[i], std::move(fn));
}

void Loops::post_all(const std::function<void()>& fn) {
  for (auto& c : contexts_) boost::asio::post(*c, fn);
}

void Loops::run_loop(std::size_t i) {
  t_current_loop = static_cast<int>(i);
  contexts_[i]->run();
  t_current_loop = -1;
}

void Loops::run() {
  for (std::size_t i = 1; i < contexts_.size(); ++i)
    threads_.emplace_back([this, i] { run_loop(i); });
  run_loop(0);
  join();
}

void Loops::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i)
    threads_.emplace_back([this, i] { run_loop(i); });
}

void Loops::stop() {
  for (auto& g : guards_) g->reset();
  for (auto& c : contexts_) c->stop();
}

void Loops::join() {
  for (auto& t : threads_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  threads_.clear();
}

int Loops::current() {
  return t_current_loop;
}

}  // namespace engage::net
