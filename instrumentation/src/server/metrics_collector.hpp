// The Prometheus metrics of serve_options::metrics_bind, read from the registry at each scrape
// (a prometheus-cpp Collectable): the application's threads count nothing for them beyond what
// the recorder keeps anyway, and a scrape only takes the reader lock spawns never wait for.
//
// Gauges: asio_console_tasks{state}, asio_console_retained_tasks, asio_console_pending_work,
// asio_console_site_live_tasks and _site_idle_tasks{site,file,line,function}, asio_console_task_records,
// asio_console_recorder_memory_bytes. Counters: asio_console_tasks_spawned_total,
// _tasks_finished_total{outcome}, _site_spawned_tasks_total and _site_finished_tasks_total, _polls_total,
// _wakes_total, _busy_seconds_total, _long_polls_total, _unrecorded_spawns_total,
// _forced_reclaims_total, _dropped_consoles_total. Per-site series are bounded (site_selection.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "asio_console/instrumentation/registry.hpp"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "site_selection.hpp"

namespace asio_console::server_internal {

class metrics_collector final : public prometheus::Collectable {
 public:
  /// `top_sites`: sites with series of their own. `dropped_consoles`: how many consoles the server
  /// has cut off so far.
  metrics_collector(instrumentation::registry& registry, std::size_t top_sites,
                    std::function<std::uint64_t()> dropped_consoles);

  std::vector<prometheus::MetricFamily> Collect() const override;
  /// Collect() in Prometheus's text format: what a scrape answers.
  std::string text() const;

 private:
  // Sums over tasks that rise with every poll; kept so that none is ever reported lower than
  // before (a wake undone on a recycled record can take one back for an instant).
  struct activity_totals {
    double polls = 0;
    double wakes = 0;
    double busy_seconds = 0;
  };

  instrumentation::registry& registry_;
  const std::function<std::uint64_t()> dropped_consoles_;
  mutable std::mutex mutex_;  // scrapes may arrive on several threads at once
  mutable site_selection selection_;
  mutable activity_totals reported_;
};

}  // namespace asio_console::server_internal
