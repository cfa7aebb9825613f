// The details of one task that a console follows (Instrument.WatchTaskDetails): poll-time and
// scheduled-time histograms, which the target records only for tasks someone watches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asio_console/v1/instrument.pb.h"

namespace asio_console::console {

struct histogram_bucket {
  std::int64_t lower_ns = 0;  // [lower_ns, upper_ns) holds count durations
  std::int64_t upper_ns = 0;
  std::uint64_t count = 0;
};

/// A histogram of durations, summarized by the target.
struct histogram_summary {
  std::uint64_t count = 0;
  std::int64_t min_ns = 0;
  std::int64_t max_ns = 0;
  std::int64_t p50_ns = 0;
  std::int64_t p90_ns = 0;
  std::int64_t p99_ns = 0;
  std::vector<histogram_bucket> buckets;  // non-empty ones, ascending
};

struct task_details {
  std::uint64_t task_id = 0;
  std::int64_t now_ns = 0;  // the process time they were read at
  histogram_summary poll_times;
  histogram_summary scheduled_times;
  std::string note;  // why histograms are missing, when they are
};

task_details from_wire(const v1::TaskDetails& wire);

}  // namespace asio_console::console
