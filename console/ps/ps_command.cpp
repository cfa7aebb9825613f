#include "ps/ps_command.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "asio_console/v1/application_text.hpp"
#include "discovery/process_directory.hpp"
#include "dump/dump_command.hpp"
#include "model/format.hpp"
#include "model/site_summary.hpp"

namespace asio_console::console {

bool is_process_id(const std::string& text) {
  return !text.empty() && text.size() <= 10 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

absl::StatusOr<target> target_of_process(std::int64_t pid) {
  absl::StatusOr<discovery::process_entry> entry = discovery::find_process(pid);
  if (!entry.ok()) return entry.status();
  absl::StatusOr<target> where = parse_target(entry->console);
  if (!where.ok()) {
    return absl::DataLossError(absl::StrCat("process ", pid, " gives a malformed address: ",
                                            v1::printable_text(std::string(where.status().message()))));
  }
  return where;
}

namespace {

// One process's row: what one look at it found.
struct ps_row {
  std::string live = "-", idle = "-", top;
};

ps_row look_at(const discovery::process_entry& process, absl::Duration timeout, const model_limits& limits) {
  ps_row row;
  absl::StatusOr<target> where = parse_target(process.console);
  dump_options look;
  look.timeout = timeout;
  look.extra_publications = 0;
  look.model.limits = limits;
  state model(look.model);
  absl::Status looked = where.ok() ? take_one_look(*where, look, model) : where.status();
  if (!looked.ok()) {
    row.top = v1::printable_text(absl::StrCat("not answering: ", looked.message()));
    return row;
  }
  std::uint64_t idle_tasks = 0;
  for (const auto& [id, t] : model.tasks()) idle_tasks += t.stats.state == task_state::idle;
  row.live = absl::StrCat(model.counters().live);  // the process's own count
  row.idle = absl::StrCat(idle_tasks);
  const std::vector<site_summary> sites = summarize_sites(model);
  if (!sites.empty() && sites.front().live > 0) {
    row.top = absl::StrCat(format_location(sites.front().where->location), " (", sites.front().live, " live)");
  }
  return row;
}

// At most this many processes are asked at once: a user's own processes, each look a connection.
constexpr std::size_t looks_at_once = 64;

}  // namespace

int run_ps(absl::Duration timeout, const model_limits& limits, std::ostream& out, std::ostream& errors) {
  absl::StatusOr<discovery::process_listing> listing = discovery::list_processes();
  if (!listing.ok()) {
    errors << "asio-console: " << v1::printable_text(std::string(listing.status().message())) << '\n';
    return 1;
  }
  for (const discovery::refused_entry& refused : listing->refused) {
    errors << "asio-console: " << v1::printable_text(refused.reason) << '\n';
  }
  // Every process is asked at the same time, so that the whole table takes one timeout however
  // many do not answer.
  const std::vector<discovery::process_entry>& processes = listing->processes;
  std::vector<ps_row> rows(processes.size());
  for (std::size_t first = 0; first < processes.size(); first += looks_at_once) {
    std::vector<std::thread> looks;
    for (std::size_t i = first; i < std::min(processes.size(), first + looks_at_once); ++i) {
      looks.emplace_back([&, i] { rows[i] = look_at(processes[i], timeout, limits); });
    }
    for (std::thread& look : looks) look.join();
  }
  out << absl::StrFormat("%-8s %-24s %-24s %8s %8s  %s\n", "PID", "PROGRAM", "CONSOLE", "LIVE", "IDLE", "TOP SITE");
  for (std::size_t i = 0; i < processes.size(); ++i) {
    out << absl::StrFormat("%-8d %-24s %-24s %8s %8s  %s\n", processes[i].pid, v1::printable_text(processes[i].program),
                           v1::printable_text(processes[i].console), rows[i].live, rows[i].idle, rows[i].top);
  }
  out.flush();
  return 0;
}

}  // namespace asio_console::console
