#include "metrics_collector.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "asio_console/instrumentation/snapshot.hpp"
#include "asio_console/v1/application_text.hpp"
#include "prometheus/text_serializer.h"

namespace asio_console::server_internal {
namespace {

using instrumentation::task_outcome;
using instrumentation::task_state;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void add(MetricFamily& f, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
}

struct site_labels {
  std::string site, file, line, function;
  std::uint32_t column = 0;  // tells apart sites that share the rest (make_distinct); not a label
  std::vector<ClientMetric::Label> labels() const {
    return {{"site", site}, {"file", file}, {"line", line}, {"function", function}};
  }
};

// The labels of a site: its file and function as valid UTF-8 with nothing a reader acts on (a
// label that is not UTF-8 fails the whole scrape), `site` as file:line.
site_labels labels_of_site(const instrumentation::site& s) {
  std::string file = v1::printable_text(s.file());
  return {absl::StrCat(file, ":", s.line()), file, absl::StrCat(s.line()), v1::printable_text(s.function()), s.column()};
}

// One series per site: sites whose labels would be the same (two co_spawn on one line, one
// template instantiated twice) are told apart in `site`, by column where that differs, else by id.
void make_distinct(const std::vector<site_counts>& chosen, absl::flat_hash_map<std::uint32_t, site_labels>& labels_of) {
  const auto key = [](const site_labels& l) { return absl::StrCat(l.site, "\n", l.function); };
  absl::flat_hash_map<std::string, int> uses;
  for (const site_counts& s : chosen) ++uses[key(labels_of.at(s.id))];
  absl::flat_hash_map<std::string, int> by_column;
  for (const site_counts& s : chosen) {
    site_labels& l = labels_of.at(s.id);
    if (uses[key(l)] < 2) continue;
    l.site = absl::StrCat(l.site, ":", l.column);
    ++by_column[key(l)];
  }
  for (const site_counts& s : chosen) {
    site_labels& l = labels_of.at(s.id);
    const auto same = by_column.find(key(l));
    if (same != by_column.end() && same->second > 1) l.site = absl::StrCat(l.site, "#", s.id);
  }
}

// What one visit of the records adds up to.
struct task_tally {
  std::uint64_t by_state[3] = {};  // running, scheduled, idle
  std::uint64_t finished_by_outcome[5] = {};  // still retained, by task_outcome
  std::uint64_t retained = 0;
  std::uint64_t pending_work = 0;
  std::uint64_t polls = 0;
  std::uint64_t wakes = 0;
  std::int64_t busy_ns = 0;
  absl::flat_hash_map<std::uint32_t, std::uint64_t> idle_by_site;
};

}  // namespace

metrics_collector::metrics_collector(instrumentation::registry& registry, std::size_t top_sites,
                                     std::function<std::uint64_t()> dropped_consoles)
    : registry_(registry), dropped_consoles_(std::move(dropped_consoles)), selection_(top_sites) {}

std::vector<MetricFamily> metrics_collector::Collect() const {
  std::lock_guard lock(mutex_);
  task_tally tally;
  instrumentation::reclaimed_totals reclaimed;
  registry_.visit_records(
      [&](const instrumentation::task_record& record) {
        const instrumentation::task_counts counts = instrumentation::counts_of(record);
        tally.polls += counts.polls;
        tally.wakes += counts.wakes;
        tally.busy_ns += counts.busy_ns;
        if (counts.state == task_state::completed) {
          ++tally.retained;
          ++tally.finished_by_outcome[static_cast<std::size_t>(record.outcome.load(std::memory_order_relaxed))];
          return;
        }
        ++tally.by_state[static_cast<std::size_t>(counts.state)];
        tally.pending_work += counts.pending_work;
        if (counts.state == task_state::idle) ++tally.idle_by_site[record.site_id];
      },
      reclaimed);
  const instrumentation::registry_counters counters = registry_.counters();

  std::vector<site_counts> sites;
  absl::flat_hash_map<std::uint32_t, site_labels> labels_of;
  registry_.visit_sites([&](const instrumentation::site& s) {
    site_counts counts;
    counts.id = s.id();
    counts.finished = s.finished();  // first: spawned, read later, is never behind it
    counts.spawned = s.spawned();
    counts.live = counts.spawned - counts.finished;
    const auto idle = tally.idle_by_site.find(s.id());
    counts.idle = idle == tally.idle_by_site.end() ? 0 : std::min(idle->second, counts.live);
    sites.push_back(counts);
    labels_of[s.id()] = labels_of_site(s);
  });
  site_counts other;
  bool has_other = false;
  const std::vector<site_counts> chosen = selection_.choose(std::move(sites), other, has_other);
  make_distinct(chosen, labels_of);

  reported_.polls = std::max(reported_.polls, static_cast<double>(reclaimed.polls + tally.polls));
  reported_.wakes = std::max(reported_.wakes, static_cast<double>(reclaimed.wakes + tally.wakes));
  reported_.busy_seconds = std::max(reported_.busy_seconds, static_cast<double>(reclaimed.busy_ns + tally.busy_ns) / 1e9);

  std::vector<MetricFamily> out;
  MetricFamily tasks = family("asio_console_tasks", "Live tasks by state.", MetricType::Gauge);
  add(tasks, static_cast<double>(tally.by_state[0]), {{"state", "running"}});
  add(tasks, static_cast<double>(tally.by_state[1]), {{"state", "scheduled"}});
  add(tasks, static_cast<double>(tally.by_state[2]), {{"state", "idle"}});
  out.push_back(std::move(tasks));

  MetricFamily retained = family("asio_console_retained_tasks",
                                 "Finished tasks still kept for consoles to see.", MetricType::Gauge);
  add(retained, static_cast<double>(tally.retained));
  out.push_back(std::move(retained));

  MetricFamily pending = family("asio_console_pending_work",
                                "Outstanding work (executor copies held by pending operations) of live tasks.",
                                MetricType::Gauge);
  add(pending, static_cast<double>(tally.pending_work));
  out.push_back(std::move(pending));

  MetricFamily spawned = family("asio_console_tasks_spawned_total", "Tasks spawned.", MetricType::Counter);
  add(spawned, static_cast<double>(counters.spawned));
  out.push_back(std::move(spawned));

  MetricFamily finished = family("asio_console_tasks_finished_total", "Tasks finished, by outcome.", MetricType::Counter);
  for (task_outcome outcome : {task_outcome::completed, task_outcome::failed, task_outcome::cancelled,
                               task_outcome::dropped}) {
    const auto i = static_cast<std::size_t>(outcome);
    add(finished, static_cast<double>(reclaimed.finished_by_outcome[i] + tally.finished_by_outcome[i]),
        {{"outcome", instrumentation::to_string(outcome)}});
  }
  out.push_back(std::move(finished));

  MetricFamily site_live = family("asio_console_site_live_tasks",
                                  "Live tasks by spawn site (the top sites by live tasks, then site=\"other\").",
                                  MetricType::Gauge);
  MetricFamily site_idle = family("asio_console_site_idle_tasks", "Idle live tasks by spawn site.", MetricType::Gauge);
  MetricFamily site_spawned = family("asio_console_site_spawned_tasks_total", "Tasks spawned, by spawn site.",
                                     MetricType::Counter);
  MetricFamily site_finished = family("asio_console_site_finished_tasks_total", "Tasks finished, by spawn site.",
                                      MetricType::Counter);
  const auto add_site = [&](const site_counts& s, const std::vector<ClientMetric::Label>& labels) {
    add(site_live, static_cast<double>(s.live), labels);
    add(site_idle, static_cast<double>(s.idle), labels);
    add(site_spawned, static_cast<double>(s.spawned), labels);
    add(site_finished, static_cast<double>(s.finished), labels);
  };
  for (const site_counts& s : chosen) add_site(s, labels_of.at(s.id).labels());
  if (has_other) add_site(other, site_labels{"other", "", "", "", 0}.labels());
  for (MetricFamily* f : {&site_live, &site_idle, &site_spawned, &site_finished}) {
    if (!f->metric.empty()) out.push_back(std::move(*f));
  }

  const auto add_single = [&](const char* name, const char* help, MetricType type, double value) {
    MetricFamily f = family(name, help, type);
    add(f, value);
    out.push_back(std::move(f));
  };
  add_single("asio_console_polls_total", "Polls of recorded tasks (resumptions on a thread).", MetricType::Counter,
             reported_.polls);
  add_single("asio_console_wakes_total", "Wakes of recorded tasks.", MetricType::Counter, reported_.wakes);
  add_single("asio_console_busy_seconds_total", "Time recorded tasks' polls held a thread.", MetricType::Counter,
             reported_.busy_seconds);
  add_single("asio_console_long_polls_total", "Polls that held their thread longer than ASIO_CONSOLE_LONG_POLL.",
             MetricType::Counter, static_cast<double>(counters.long_polls));
  add_single("asio_console_unrecorded_spawns_total", "Spawns that ran unrecorded (see README).", MetricType::Counter,
             static_cast<double>(counters.unrecorded));
  add_single("asio_console_forced_reclaims_total",
             "Finished tasks reclaimed before every console saw them (the retention's count bound).",
             MetricType::Counter, static_cast<double>(counters.forced_reclaims));
  add_single("asio_console_dropped_consoles_total", "Consoles cut off for falling behind.", MetricType::Counter,
             static_cast<double>(dropped_consoles_()));
  add_single("asio_console_task_records", "Task records the recorder has carved (live, retained and free).",
             MetricType::Gauge, static_cast<double>(counters.records_allocated));
  add_single("asio_console_recorder_memory_bytes",
             "Bytes the recorder holds for task records, histograms and stacks (an estimate without names).",
             MetricType::Gauge, static_cast<double>(registry_.memory_bytes()));
  return out;
}

std::string metrics_collector::text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect());
  return std::move(out).str();
}

}  // namespace asio_console::server_internal
