// Reads /proc/<pid>/stat (utime, stime) and /proc/<pid>/status (VmRSS, VmHWM).
#include "proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace engage::load {

namespace {

bool sample_one(int pid, ProcSample& out) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat(base + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto paren = line.rfind(')');
  if (paren == std::string::npos) return false;
  std::istringstream fields(line.substr(paren + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 0; i <= 12 && fields >> f; ++i) {  // field 3 (state) is i = 0
    if (i == 11) utime = std::stoull(f);
    if (i == 12) stime = std::stoull(f);
  }
  const long hz = sysconf(_SC_CLK_TCK);
  out.cpu_s += static_cast<double>(utime + stime) / static_cast<double>(hz > 0 ? hz : 100);
  std::ifstream status(base + "/status");
  while (std::getline(status, line)) {
    auto value = [&]() { return std::stoull(line.substr(line.find(':') + 1)); };
    if (line.rfind("VmRSS:", 0) == 0) out.rss_kib += value();
    if (line.rfind("VmHWM:", 0) == 0) out.hwm_kib += value();
  }
  return true;
}

}  // namespace

ProcSample sample_processes(const std::vector<int>& pids) {
  ProcSample s;
  s.ok = !pids.empty();
  for (int pid : pids) {
    try {
      if (!sample_one(pid, s)) s.ok = false;
    } catch (...) {  // a malformed /proc line (process gone mid-read): not fatal for a sample
      s.ok = false;
    }
  }
  return s;
}

}  // namespace engage::load
