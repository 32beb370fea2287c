// Process samples from /proc: CPU time and resident memory of the servers under load.
#pragma once

#include <cstdint>
#include <vector>

namespace engage::load {

struct ProcSample {
  bool ok = false;       // every pid could be read
  double cpu_s = 0;      // user + system CPU seconds since the process started (all threads)
  uint64_t rss_kib = 0;  // VmRSS
  uint64_t hwm_kib = 0;  // VmHWM (peak RSS)
};

// Returns the sum over `pids` (an empty list gives ok = false).
ProcSample sample_processes(const std::vector<int>& pids);

}  // namespace engage::load
