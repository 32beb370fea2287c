// engage-load: a Socket.IO load generator for engage and its Node baseline — chess games,
// watch-along fan-out and idle clients over WebSocket or long-polling, in one or several
// processes, with per-second progress, a summary table and one JSON result line.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "options.h"
#include "proc_stats.h"
#include "stats.h"
#include "worker.h"

namespace asio = boost::asio;
using boost::system::error_code;
using engage::json::Value;

namespace engage::load {
namespace {

// Writes all of `s` to `fd` (blocking); false when the peer is gone.
bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string fmt_ms(uint64_t ns) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", static_cast<double>(ns) / 1e6);
  return b;
}

// Reads newline-terminated lines from a pipe and hands each to `on_line`; `on_eof` at the end.
class LineReader {
 public:
  LineReader(asio::io_context& io, int fd, std::function<void(std::string)> on_line,
             std::function<void()> on_eof)
      : sd_(io, fd), on_line_(std::move(on_line)), on_eof_(std::move(on_eof)) {}
  void start() {
    asio::async_read_until(sd_, buf_, '\n', [this](const error_code& ec, std::size_t) {
      if (ec) {
        if (on_eof_) on_eof_();
        return;
      }
      std::istream is(&buf_);
      std::string line;
      std::getline(is, line);
      on_line_(std::move(line));
      start();
    });
  }
  void close() {
    error_code ec;
    sd_.close(ec);
  }

 private:
  asio::posix::stream_descriptor sd_;
  asio::streambuf buf_;
  std::function<void(std::string)> on_line_;
  std::function<void()> on_eof_;
};

// Drives the workers through ramp → warm-up → measure → report, prints progress and results.
class Conductor {
 public:
  using Send = std::function<void(int worker, std::string_view cmd)>;
  Conductor(asio::io_context& io, const Options& opt, int workers, Send send)
      : io_(io), opt_(opt), workers_(workers), send_(std::move(send)), timer_(io), deadline_(io) {}

  std::function<void()> on_finished;  // after the final reports were printed and "quit" sent

  void start() {
    start_ns_ = now_ns();
    srv_start_ = sample_processes(opt_.server_pids);
    srv_last_ = srv_start_;
    srv_last_ns_ = start_ns_;
    broadcast("ramp");
    arm_tick();
    double max_time = opt_.max_time_s;
    if (max_time <= 0) max_time = opt_.ramp_timeout_s + opt_.warmup_s + opt_.duration_s + 30;
    deadline_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(max_time * 1000)));
    deadline_.async_wait([this](const error_code& ec) {
      if (ec || finished_) return;
      std::fprintf(stderr, "engage-load: hard stop after --max-time; reporting what arrived\n");
      hard_stopped_ = true;
      if (phase_ != Phase::Collect) end_measure();
      finish();
    });
  }

  // Ends the measurement early (SIGINT/SIGTERM).
  void interrupt() {
    if (phase_ == Phase::Collect || finished_) return;
    std::fprintf(stderr, "engage-load: interrupted; ending the measurement now\n");
    if (phase_ != Phase::Measure) {
      measure_start_ns_ = now_ns();
      srv_measure_start_ = sample_processes(opt_.server_pids);
    }
    end_measure();
  }

  void on_report(int worker, const Value& v) {
    const Value* type = v.find("type");
    if (!type || !type->is_string()) return;
    if (type->as_string() == "tick") {
      if (const Value* st = v.find("stats")) tick_stats_.add_json(*st);
      if (const Value* c = v.find("connected")) tick_connected_ += c->as_int().value_or(0);
      if (const Value* t = v.find("target")) tick_target_ += t->as_int().value_or(0);
      if (const Value* d = v.find("ramp_done"); d && d->is_bool() && !d->as_bool())
        tick_ramp_done_ = false;
      if (const Value* r = v.find("ramp_s"); r && r->is_number())
        tick_ramp_s_ = std::max(tick_ramp_s_, r->as_double());
      if (++tick_replies_ == workers_) on_tick_complete();
    } else if (type->as_string() == "final") {
      if (const Value* st = v.find("stats")) final_stats_.add_json(*st);
      if (const Value* st = v.find("total")) total_stats_.add_json(*st);
      if (const Value* m = v.find("measured_s"); m && m->is_number())
        measured_s_ = std::max(measured_s_, m->as_double());
      if (const Value* c = v.find("cpu_s"); c && c->is_number()) loadgen_cpu_s_ += c->as_double();
      if (const Value* c = v.find("connected")) final_connected_ += c->as_int().value_or(0);
      if (const Value* t = v.find("target")) final_target_ += t->as_int().value_or(0);
      (void)worker;
      if (++final_replies_ == workers_) finish();
    }
  }

  int exit_code() const { return exit_code_; }

 private:
  enum class Phase { Ramp, Warmup, Measure, Collect };

  void broadcast(std::string_view cmd) {
    for (int i = 0; i < workers_; ++i) send_(i, cmd);
  }

  void arm_tick() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const error_code& ec) {
      if (ec || finished_ || phase_ == Phase::Collect) return;
      tick_replies_ = 0;
      tick_connected_ = 0;
      tick_target_ = 0;
      tick_ramp_done_ = true;
      tick_ramp_s_ = 0;
      tick_stats_.reset();
      broadcast("tick");
      arm_tick();
    });
  }

  double elapsed_s() const { return static_cast<double>(now_ns() - start_ns_) / 1e9; }

  void on_tick_complete() {
    const int64_t t = now_ns();
    const ProcSample srv = sample_processes(opt_.server_pids);
    if (phase_ == Phase::Ramp && (tick_ramp_done_ || elapsed_s() >= opt_.ramp_timeout_s)) {
      if (!tick_ramp_done_)
        std::fprintf(stderr,
                     "engage-load: ramp timeout; measuring with the clients connected so far\n");
      srv_connected_ = srv;
      connected_at_ramp_ = tick_connected_;
      ramp_s_ = tick_ramp_done_ && tick_ramp_s_ > 0 ? tick_ramp_s_ : elapsed_s();
      phase_ = Phase::Warmup;
      warm_until_ns_ = t + static_cast<int64_t>(opt_.warmup_s * 1e9);
    }
    if (phase_ == Phase::Warmup && t >= warm_until_ns_) {
      phase_ = Phase::Measure;
      measure_start_ns_ = now_ns();
      srv_measure_start_ = sample_processes(opt_.server_pids);
      broadcast("measure");
    } else if (phase_ == Phase::Measure &&
               static_cast<double>(t - measure_start_ns_) / 1e9 >= opt_.duration_s) {
      print_progress(srv, t);
      end_measure();
      return;
    }
    print_progress(srv, t);
  }

  void print_progress(const ProcSample& srv, int64_t t) {
    if (opt_.quiet) return;
    const double dt = std::max(1e-3, static_cast<double>(t - last_print_ns_) / 1e9);
    last_print_ns_ = t;
    const char* phase = phase_ == Phase::Ramp ? "ramp" : phase_ == Phase::Warmup ? "warm" : "meas";
    const Stats& s = tick_stats_;
    std::string line;
    char b[256];
    std::snprintf(b, sizeof b, "[%5.0fs %s] clients %lld/%lld  moves/s %.0f", elapsed_s(), phase,
                  static_cast<long long>(tick_connected_), static_cast<long long>(tick_target_),
                  static_cast<double>(s.c.moves_acked) / dt);
    line += b;
    if (s.move_rtt.count()) {
      line += "  rtt p50 " + fmt_ms(s.move_rtt.percentile(50)) + " p99 " +
              fmt_ms(s.move_rtt.percentile(99)) + " ms";
    }
    if (s.fanout.count()) {
      line += "  fanout p50 " + fmt_ms(s.fanout.percentile(50)) + " p99 " +
              fmt_ms(s.fanout.percentile(99)) + " max " + fmt_ms(s.fanout.max()) + " ms";
    }
    std::snprintf(b, sizeof b, "  errors %llu", static_cast<unsigned long long>(s.c.errors));
    line += b;
    if (srv.ok) {
      const double cpu = (srv.cpu_s - srv_last_.cpu_s) /
                         std::max(1e-3, static_cast<double>(t - srv_last_ns_) / 1e9) * 100;
      std::snprintf(b, sizeof b, "  server cpu %.0f%% rss %.1f MiB", cpu,
                    static_cast<double>(srv.rss_kib) / 1024);
      line += b;
      srv_last_ = srv;
      srv_last_ns_ = t;
    }
    if (!s.errors.empty()) {
      line += "  [";
      line += s.errors.begin()->first;
      line += "]";
    }
    std::fprintf(stderr, "%s\n", line.c_str());
  }

  void end_measure() {
    if (phase_ == Phase::Collect) return;
    phase_ = Phase::Collect;
    timer_.cancel();
    measure_end_ns_ = now_ns();
    srv_end_ = sample_processes(opt_.server_pids);
    broadcast("end");
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    timer_.cancel();
    print_results();
    broadcast("quit");
    if (on_finished) asio::post(io_, on_finished);
  }

  void print_results() {
    const Stats& s = final_stats_;
    const double measured = measured_s_ > 0
                                ? measured_s_
                                : static_cast<double>(measure_end_ns_ - measure_start_ns_) / 1e9;
    const double moves_per_s = measured > 0 ? static_cast<double>(s.c.moves_acked) / measured : 0;
    const bool srv_ok = srv_end_.ok && srv_measure_start_.ok;
    const double srv_cpu = srv_ok ? srv_end_.cpu_s - srv_measure_start_.cpu_s : 0;

    // Summary table (stderr; the JSON line goes to stdout).
    std::fprintf(stderr, "\n%-34s %s\n", "engage-load summary", opt_.label.c_str());
    auto row = [](const char* k, const std::string& v) {
      std::fprintf(stderr, "  %-32s %s\n", k, v.c_str());
    };
    row("targets", [&] {
      std::string u;
      for (auto& x : opt_.urls) u += x + " ";
      return u + "(" + opt_.transport + ")";
    }());
    row("clients connected / target",
        std::to_string(final_connected_) + " / " + std::to_string(final_target_));
    row("connections made / failed (all)", std::to_string(total_stats_.c.connects_ok) + " / " +
                                               std::to_string(total_stats_.c.connects_failed));
    row("disconnects (all)", std::to_string(total_stats_.c.disconnects));
    row("ramp", fmt_ms(static_cast<uint64_t>(ramp_s_ * 1e9)) + " ms, connect p50 " +
                    fmt_ms(total_stats_.connect.percentile(50)) + " p99 " +
                    fmt_ms(total_stats_.connect.percentile(99)) + " ms");
    char b[128];
    std::snprintf(b, sizeof b, "%.2f s", measured);
    row("measured", b);
    row("games started / finished",
        std::to_string(s.c.games_started) + " / " + std::to_string(s.c.games_finished));
    std::snprintf(b, sizeof b, "%llu / %llu  (%.1f moves/s)",
                  static_cast<unsigned long long>(s.c.moves_sent),
                  static_cast<unsigned long long>(s.c.moves_acked), moves_per_s);
    row("moves sent / acknowledged", b);
    auto lat = [&](const Histogram& h) {
      if (!h.count()) return std::string("-");
      return "p50 " + fmt_ms(h.percentile(50)) + "  p90 " + fmt_ms(h.percentile(90)) + "  p99 " +
             fmt_ms(h.percentile(99)) + "  p99.9 " + fmt_ms(h.percentile(99.9)) + "  max " +
             fmt_ms(h.max()) + " ms";
    };
    row("move round trip", lat(s.move_rtt));
    if (s.c.syncs_sent) {
      row("sync fan-out (each member)", lat(s.fanout));
      row("sync fan-out (last member)", lat(s.fanout_last));
      row("syncs sent / received / missed", std::to_string(s.c.syncs_sent) + " / " +
                                                std::to_string(s.c.syncs_received) + " / " +
                                                std::to_string(s.c.syncs_missed));
    }
    row("errors (all phases)", std::to_string(total_stats_.c.errors));
    for (const auto& [m, n] : total_stats_.errors) row(("  " + std::to_string(n) + "x").c_str(), m);
    if (srv_end_.ok) {
      std::snprintf(b, sizeof b, "start %.1f  connected %.1f  end %.1f  peak %.1f MiB",
                    static_cast<double>(srv_start_.rss_kib) / 1024,
                    static_cast<double>(srv_connected_.rss_kib) / 1024,
                    static_cast<double>(srv_end_.rss_kib) / 1024,
                    static_cast<double>(srv_end_.hwm_kib) / 1024);
      row("server RSS", b);
      std::snprintf(
          b, sizeof b, "%.2f s (%.0f%% of one core)%s", srv_cpu,
          measured > 0 ? srv_cpu / measured * 100 : 0,
          s.c.moves_acked
              ? (", " +
                 fmt_ms(static_cast<uint64_t>(srv_cpu * 1e9 / static_cast<double>(s.c.moves_acked) *
                                              1e3 / 1e3))
                     .substr(0) +
                 " ms/move")
                    .c_str()
              : "");
      row("server CPU while measuring", b);
    }
    std::snprintf(b, sizeof b, "%.2f s", loadgen_cpu_s_);
    row("load generator CPU (all)", b);

    // JSON line.
    Value j = Value::object();
    j.set("tool", "engage-load");
    j.set("label", opt_.label);
    Value urls = Value::array();
    for (const auto& u : opt_.urls) urls.push_back(Value(u));
    j.set("urls", std::move(urls));
    j.set("transport", opt_.transport);
    Value o = Value::object();
    o.set("games", opt_.games);
    o.set("idle", opt_.idle);
    o.set("watch_rooms", opt_.watch_rooms);
    o.set("watch_members", opt_.watch_members);
    o.set("move_interval_ms", opt_.move_interval_ms);
    o.set("sync_interval_ms", opt_.sync_interval_ms);
    o.set("processes", opt_.processes);
    o.set("duration_s", opt_.duration_s);
    j.set("options", std::move(o));
    j.set("hard_stopped", hard_stopped_);
    Value cl = Value::object();
    cl.set("target", Value(static_cast<int64_t>(final_target_)));
    cl.set("connected", Value(static_cast<int64_t>(final_connected_)));
    cl.set("connected_at_ramp", Value(static_cast<int64_t>(connected_at_ramp_)));
    cl.set("made", Value(total_stats_.c.connects_ok));
    cl.set("failed", Value(total_stats_.c.connects_failed));
    cl.set("disconnects", Value(total_stats_.c.disconnects));
    cl.set("ramp_s", round_to(ramp_s_, 3));
    cl.set("connect_ms", summary_ms(total_stats_.connect));
    j.set("connections", std::move(cl));
    j.set("measured_s", round_to(measured, 3));
    Value g = Value::object();
    g.set("started", Value(s.c.games_started));
    g.set("finished", Value(s.c.games_finished));
    j.set("games", std::move(g));
    Value mv = Value::object();
    mv.set("sent", Value(s.c.moves_sent));
    mv.set("acked", Value(s.c.moves_acked));
    mv.set("per_s", round_to(moves_per_s, 1));
    j.set("moves", std::move(mv));
    j.set("move_rtt_ms", summary_ms(s.move_rtt));
    Value sy = Value::object();
    sy.set("sent", Value(s.c.syncs_sent));
    sy.set("received", Value(s.c.syncs_received));
    sy.set("missed", Value(s.c.syncs_missed));
    sy.set("fanout_ms", summary_ms(s.fanout));
    sy.set("fanout_last_ms", summary_ms(s.fanout_last));
    j.set("syncs", std::move(sy));
    Value er = Value::object();
    er.set("total", Value(total_stats_.c.errors));
    er.set("measured", Value(s.c.errors));
    Value by = Value::object();
    for (const auto& [m, n] : total_stats_.errors) by.set(m, Value(n));
    er.set("by_message", std::move(by));
    j.set("errors", std::move(er));
    if (!opt_.server_pids.empty()) {
      Value sv = Value::object();
      Value pids = Value::array();
      for (int p : opt_.server_pids) pids.push_back(Value(p));
      sv.set("pids", std::move(pids));
      sv.set("ok", srv_ok);
      sv.set("rss_start_kib", Value(srv_start_.rss_kib));
      sv.set("rss_connected_kib", Value(srv_connected_.rss_kib));
      sv.set("rss_end_kib", Value(srv_end_.rss_kib));
      sv.set("hwm_kib", Value(srv_end_.hwm_kib));
      const double per_client = connected_at_ramp_ > 0
                                    ? (static_cast<double>(srv_connected_.rss_kib) -
                                       static_cast<double>(srv_start_.rss_kib)) /
                                          static_cast<double>(connected_at_ramp_)
                                    : 0;
      // null when nothing connected / nothing moved: "no figure", not zero.
      sv.set("rss_per_client_kib",
             connected_at_ramp_ > 0 ? Value(round_to(per_client, 3)) : Value());
      sv.set("cpu_s", round_to(srv_cpu, 3));
      sv.set("cpu_pct", round_to(measured > 0 ? srv_cpu / measured * 100 : 0, 1));
      sv.set("cpu_us_per_move",
             s.c.moves_acked
                 ? Value(round_to(srv_cpu * 1e6 / static_cast<double>(s.c.moves_acked), 2))
                 : Value());
      j.set("server", std::move(sv));
    }
    Value lg = Value::object();
    lg.set("cpu_s", round_to(loadgen_cpu_s_, 3));
    // The machine's 1-minute load average at the end: on a shared machine it says how much
    // other work competed with the run.
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
      double l1 = 0;
      if (std::fscanf(f, "%lf", &l1) == 1) lg.set("machine_loadavg_1m", l1);
      std::fclose(f);
    }
    j.set("loadgen", std::move(lg));
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
    if (final_connected_ == 0 && final_target_ > 0) exit_code_ = 1;
  }

  asio::io_context& io_;
  const Options& opt_;
  int workers_;
  Send send_;
  asio::steady_timer timer_;
  asio::steady_timer deadline_;
  Phase phase_ = Phase::Ramp;
  bool finished_ = false;
  bool hard_stopped_ = false;
  int exit_code_ = 0;
  int64_t start_ns_ = 0, warm_until_ns_ = 0, measure_start_ns_ = 0, measure_end_ns_ = 0,
          last_print_ns_ = 0;
  double ramp_s_ = 0, measured_s_ = 0, loadgen_cpu_s_ = 0;
  int tick_replies_ = 0, final_replies_ = 0;
  int64_t tick_connected_ = 0, tick_target_ = 0, connected_at_ramp_ = 0;
  int64_t final_connected_ = 0, final_target_ = 0;
  bool tick_ramp_done_ = true;
  double tick_ramp_s_ = 0;
  Stats tick_stats_, final_stats_, total_stats_;
  ProcSample srv_start_, srv_connected_, srv_measure_start_, srv_end_, srv_last_;
  int64_t srv_last_ns_ = 0;
};

// Runs worker `index` of `count` in this (forked) process: commands from `cmd_fd`, reports to
// `report_fd`. Never returns.
[[noreturn]] void run_child(const Options& opt, const std::vector<Target>& targets, int index,
                            int count, int cmd_fd, int report_fd) {
  signal(SIGINT, SIG_IGN);  // the conductor decides when to stop
  asio::io_context io;
  Worker worker(io, opt, targets, index, count, [report_fd](Value v) {
    std::string s = v.dump();
    s += '\n';
    write_all(report_fd, s);
  });
  bool quit = false;
  worker.set_on_quit([&] {
    quit = true;
    io.stop();
  });
  LineReader reader(
      io, cmd_fd, [&](std::string line) { worker.command(line); },
      [&] {  // the conductor is gone: close everything and leave
        if (!quit) worker.command("quit");
      });
  reader.start();
  io.run();
  ::close(report_fd);
  std::fflush(nullptr);
  _exit(0);
}

int run(const Options& opt) {
  std::vector<Target> targets;
  if (std::string err = resolve_targets(opt, targets); !err.empty()) {
    std::fprintf(stderr, "engage-load: %s\n", err.c_str());
    return 2;
  }
  const int nproc = std::max(1, opt.processes);
  const int clients = opt.games * 2 + opt.idle + opt.watch_rooms * (1 + opt.watch_members);
  if (clients == 0) {
    std::fprintf(stderr, "engage-load: nothing to do (give --games, --idle or --watch-rooms)\n");
    return 2;
  }
  if (!opt.quiet) {
    std::fprintf(stderr,
                 "engage-load: %d clients (%d games, %d watch rooms x %d members, %d idle) over %d "
                 "process(es), %s\n",
                 clients, opt.games, opt.watch_rooms, opt.watch_members, opt.idle, nproc,
                 opt.transport.c_str());
  }
  std::signal(SIGPIPE, SIG_IGN);

  if (nproc == 1) {
    asio::io_context io;
    std::unique_ptr<Worker> worker;
    std::unique_ptr<Conductor> conductor;
    worker = std::make_unique<Worker>(io, opt, targets, 0, 1, [&](Value v) {
      asio::post(io, [&, v = std::move(v)] { conductor->on_report(0, v); });
    });
    conductor = std::make_unique<Conductor>(io, opt, 1, [&](int, std::string_view cmd) {
      asio::post(io, [&, c = std::string(cmd)] { worker->command(c); });
    });
    worker->set_on_quit([&] { io.stop(); });
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const error_code& ec, int) {
      if (!ec) conductor->interrupt();
    });
    conductor->start();
    io.run();
    return conductor->exit_code();
  }

  // Several processes: fork the workers first, then build the conductor's loop.
  struct Child {
    pid_t pid;
    int cmd_fd;
    int report_fd;
  };
  std::vector<Child> children;
  for (int i = 0; i < nproc; ++i) {
    int cmd[2], rep[2];
    if (pipe2(cmd, O_CLOEXEC) != 0 || pipe2(rep, O_CLOEXEC) != 0) {
      std::perror("engage-load: pipe");
      return 2;
    }
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
      std::perror("engage-load: fork");
      return 2;
    }
    if (pid == 0) {
      ::close(cmd[1]);
      ::close(rep[0]);
      for (const Child& c : children) {
        ::close(c.cmd_fd);
        ::close(c.report_fd);
      }
      run_child(opt, targets, i, nproc, cmd[0], rep[1]);
    }
    ::close(cmd[0]);
    ::close(rep[1]);
    children.push_back({pid, cmd[1], rep[0]});
  }
  asio::io_context io;
  std::vector<std::unique_ptr<LineReader>> readers;
  Conductor conductor(io, opt, nproc, [&](int i, std::string_view cmd) {
    std::string line(cmd);
    line += '\n';
    write_all(children[static_cast<std::size_t>(i)].cmd_fd, line);
  });
  int open_readers = nproc;
  for (int i = 0; i < nproc; ++i) {
    readers.push_back(std::make_unique<LineReader>(
        io, children[static_cast<std::size_t>(i)].report_fd,
        [&, i](std::string line) {
          auto v = json::parse(line);
          if (v) conductor.on_report(i, *v);
        },
        [&] {
          if (--open_readers == 0) io.stop();
        }));
    readers.back()->start();
  }
  asio::steady_timer reap(io);
  conductor.on_finished = [&] {
    // Children exit after "quit"; give them a few seconds, then kill the stragglers.
    reap.expires_after(std::chrono::seconds(10));
    reap.async_wait([&](const error_code& ec) {
      if (!ec) io.stop();
    });
  };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code& ec, int) {
    if (!ec) conductor.interrupt();
  });
  conductor.start();
  io.run();
  for (const Child& c : children) {
    ::close(c.cmd_fd);
    int status = 0;
    if (waitpid(c.pid, &status, WNOHANG) == 0) {
      kill(c.pid, SIGKILL);
      waitpid(c.pid, &status, 0);
    }
  }
  return conductor.exit_code();
}

}  // namespace
}  // namespace engage::load

int main(int argc, char** argv) {
  engage::load::Options opt;
  CLI::App app{
      "engage-load: Socket.IO load generator for engage (and its Node baseline).\n"
      "Chess games (white creates, black joins by code, random legal moves), watch-along\n"
      "fan-out and idle clients; progress every second on stderr, a summary table on stderr\n"
      "and one JSON line on stdout. Loopback targets only unless --allow-remote."};
  app.option_defaults()->always_capture_default();
  app.add_option("-u,--url", opt.urls,
                 "server URL(s): ws://127.0.0.1:3002 (several = several instances)")
      ->delimiter(',');
  app.add_option("--path", opt.path, "Engine.IO path");
  app.add_option("--transport", opt.transport, "websocket or polling")
      ->check(CLI::IsMember({"websocket", "polling"}));
  app.add_option("-g,--games", opt.games, "chess games (2 clients each)");
  app.add_option("--idle", opt.idle, "idle clients");
  app.add_option("--idle-namespace", opt.idle_namespace, "namespace of idle clients");
  app.add_flag("--echo", opt.echo,
               "idle clients emit `message` every --move-interval and time `message-back` "
               "(against engage-server --conformance with --idle-namespace /)");
  app.add_option("--watch-rooms", opt.watch_rooms,
                 "watch-along rooms (1 host + --watch-members each)");
  app.add_option("--watch-members", opt.watch_members, "members per watch-along room");
  app.add_option("-i,--move-interval", opt.move_interval_ms,
                 "ms between two plies of one game (0 = as soon as the reply arrives)");
  app.add_option("--sync-interval", opt.sync_interval_ms, "ms between two host play/pause events");
  app.add_option("--max-plies", opt.max_plies,
                 "resign after this many plies (0 = play until the game ends)");
  app.add_option(
      "-r,--ramp", opt.ramp,
      "new connections per second, all processes (0 = only --connect-concurrency limits)");
  app.add_option("--connect-concurrency", opt.connect_concurrency,
                 "handshakes in flight per process");
  app.add_option("--ramp-timeout", opt.ramp_timeout_s,
                 "seconds to wait for every client to connect");
  app.add_option("--warmup", opt.warmup_s,
                 "seconds between the end of the ramp and the measurement");
  app.add_option("-d,--duration", opt.duration_s, "measured seconds");
  app.add_option("--move-timeout", opt.move_timeout_ms,
                 "ms after which an unacknowledged move restarts its game");
  app.add_option("--max-time", opt.max_time_s,
                 "hard stop in seconds (0 = ramp-timeout + warmup + duration + 30)");
  app.add_option("-p,--processes", opt.processes,
                 "load processes (each holds up to ~19,900 sockets)");
  app.add_option("--server-pid", opt.server_pids, "server process(es) to sample for RSS and CPU")
      ->delimiter(',');
  app.add_option("--user-prefix", opt.user_prefix, "userId prefix (default load<pid>-)");
  app.add_option("--label", opt.label, "label copied into the JSON line");
  app.add_flag("--spread", opt.spread,
               "put the two players of a game (and room members) on different instances");
  app.add_flag("--allow-remote", opt.allow_remote, "allow non-loopback targets");
  app.add_flag("-q,--quiet", opt.quiet, "no progress lines");
  app.add_option("--seed", opt.seed, "random seed (moves, masks)");
  app.add_option("--max-message", opt.max_message_bytes, "largest WebSocket message accepted");
  CLI11_PARSE(app, argc, argv);
  if (opt.user_prefix.empty()) opt.user_prefix = "load" + std::to_string(getpid()) + "-";
  if (opt.processes > 1 && opt.games + opt.idle + opt.watch_rooms < opt.processes)
    opt.processes = std::max(1, opt.games + opt.idle + opt.watch_rooms);
  return engage::load::run(opt);
}
