#include "ps/ps_command.hpp"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
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
    return absl::DataLossError(absl::StrCat("process ", pid, " gives a malformed address: ", where.status().message()));
  }
  return where;
}

int run_ps(absl::Duration timeout, std::ostream& out, std::ostream& errors) {
  absl::StatusOr<std::vector<discovery::process_entry>> processes = discovery::list_processes();
  if (!processes.ok()) {
    errors << "asio-console: " << processes.status().message() << '\n';
    return 1;
  }
  out << absl::StrFormat("%-8s %-24s %-24s %8s %8s  %s\n", "PID", "PROGRAM", "CONSOLE", "LIVE", "IDLE", "TOP SITE");
  for (const discovery::process_entry& process : *processes) {
    std::string live = "-", idle = "-", top;
    absl::StatusOr<target> where = parse_target(process.console);
    dump_options look;
    look.timeout = timeout;
    look.extra_publications = 0;
    state model(look.model);
    absl::Status looked = where.ok() ? take_one_look(*where, look, model) : where.status();
    if (looked.ok()) {
      std::uint64_t idle_tasks = 0;
      for (const auto& [id, t] : model.tasks()) idle_tasks += t.stats.state == task_state::idle;
      live = absl::StrCat(model.counters().live);  // the process's own count
      idle = absl::StrCat(idle_tasks);
      const std::vector<site_summary> sites = summarize_sites(model);
      if (!sites.empty() && sites.front().live > 0) {
        top = absl::StrCat(format_location(sites.front().where->location), " (", sites.front().live, " live)");
      }
    } else {
      top = absl::StrCat("not answering: ", looked.message());
    }
    out << absl::StrFormat("%-8d %-24s %-24s %8s %8s  %s\n", process.pid, process.program, process.console, live, idle,
                           top);
  }
  out.flush();
  return 0;
}

}  // namespace asio_console::console
