#include "dump/dump_command.hpp"

#include <algorithm>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "connection/live_connection.hpp"
#include "dump/json_report.hpp"
#include "dump/stacks_report.hpp"
#include "dump/text_report.hpp"
#include "model/format.hpp"
#include "recording/replay_source.hpp"

namespace asio_console::console {

absl::Status take_one_look(message_source& connection, state& model, const dump_options& options,
                           const target& where) {
  const auto timed_out = [&] {
    // Its first message came: a live target, only slow (too many consoles at once, a huge snapshot).
    if (model.link().current == link_status::phase::connected) {
      return absl::DeadlineExceededError(describe_slow_snapshot(where, options.timeout));
    }
    return absl::DeadlineExceededError(
        describe_failure(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), where, options.timeout));
  };
  absl::Time deadline = absl::Now() + options.timeout;  // silence before the snapshot is whole
  // However busy the stream, a snapshot that keeps coming without ending is not waited for forever.
  const absl::Duration snapshot_limit = std::max(24 * options.timeout, absl::Minutes(2));
  absl::Time snapshot_by = absl::Now() + snapshot_limit;
  std::uint64_t wanted = 0;
  bool sampling = true;
  for (;;) {
    const absl::Time asked_at = absl::Now();
    const std::vector<message> arrived = connection.wait_messages(deadline);
    if (const absl::Time woke = absl::Now(); woke > deadline + absl::Seconds(1)) {
      // This console did not run for a while past its deadline (stopped by Ctrl-Z or SIGSTOP, or
      // starved): what did not come meanwhile says nothing of the target, so the wait it asked
      // for starts again.
      snapshot_by += woke - deadline;
      deadline = woke + std::max(deadline - asked_at, absl::Seconds(1));
    }
    for (const message& next : arrived) {
      if (!sampling && std::holds_alternative<v1::Update>(next)) continue;  // the look is taken
      if (absl::Status applied = model.apply(next); !applied.ok()) {
        return absl::FailedPreconditionError(absl::StrCat(where.text, ": ", applied.message()));
      }
    }
    const absl::Time now = absl::Now();
    const link_status& link = model.link();
    const bool link_ended = link.current == link_status::phase::closed;
    if (!model.ready()) {
      if (link_ended) {
        const bool just_ended = link.last_error == where.text + " ended the stream";
        return absl::UnavailableError(just_ended ? where.text + " ended the stream before sending a snapshot"
                                                 : link.last_error);
      }
      if (now >= deadline) return timed_out();
      if (now >= snapshot_by) {
        return absl::DeadlineExceededError(absl::StrCat(where.text, " sent a snapshot for ", absl::FormatDuration(snapshot_limit),
                                                        " without ending it: not what an asio-console target does"));
      }
      if (!arrived.empty()) deadline = now + options.timeout;  // a big snapshot: silence is what times out
    } else if (sampling) {
      if (wanted == 0) {
        wanted = model.publications() + static_cast<std::uint64_t>(std::max(0, options.extra_publications));
        deadline = now + options.sample_for;
      }
      if (model.publications() >= wanted || now >= deadline || link_ended) {
        sampling = false;
        deadline = now + options.timeout;  // for the symbolization still under way
      }
    }
    if (!model.symbolize_error().empty()) return absl::UnavailableError(model.symbolize_error());
    for (request& next : model.take_requests()) connection.send(std::move(next));
    if (!sampling) {
      if (!model.symbolizing()) return absl::OkStatus();
      if (now >= deadline) return timed_out();
    }
  }
}

namespace {

// Reads `model` from a recording positioned where the dump looks: everything up to there, then
// the answers to what the model asks (a replay answers at once).
absl::Status take_recorded_look(replay_source& source, state& model, const std::string& path) {
  for (;;) {
    const std::vector<message> arrived = source.take_messages();
    if (absl::Status applied = model.apply_all(arrived); !applied.ok()) {
      return absl::DataLossError(absl::StrCat(path, ": ", applied.message()));
    }
    std::vector<request> asked = model.take_requests();
    if (arrived.empty() && asked.empty()) return absl::OkStatus();
    for (request& next : asked) source.send(std::move(next));
  }
}

int print(const state& model, std::string_view name, const dump_options& options, std::ostream& out,
          std::ostream& errors) {
  if (options.json) {
    write_json_report(out, model);
  } else if (options.stacks) {
    write_stacks_report(out, name, model, options.frames);
  } else {
    write_text_report(out, name, model, options.frames);
  }
  out.flush();
  if (!out) {
    errors << "asio-console: could not write the output\n";
    return 1;
  }
  std::string fired;
  for (const warning_summary& w : model.lints().warnings) {
    if (options.fail_on.contains(w.lint)) absl::StrAppend(&fired, fired.empty() ? "" : ", ", std::string(lint_name(w.lint)));
  }
  if (!fired.empty()) {
    errors << "asio-console: " << fired << " fired (--fail-on)\n";
    return 3;
  }
  return 0;
}

}  // namespace

absl::Status take_one_look(const target& where, const dump_options& options, state& model) {
  live_connection connection(where, {.timeout = options.timeout, .reconnect = false});
  return take_one_look(connection, model, options, where);
}

int run_dump(const target& where, const dump_options& options, std::ostream& out, std::ostream& errors) {
  state model(options.model);
  if (absl::Status looked = take_one_look(where, options, model); !looked.ok()) {
    errors << "asio-console: " << looked.message() << '\n';
    return 1;
  }
  return print(model, where.text, options, out, errors);
}

int run_dump_recording(const std::string& path, const dump_options& options, std::ostream& out, std::ostream& errors) {
  absl::StatusOr<recording> file = read_recording(path);
  if (!file.ok()) {
    errors << "asio-console: " << file.status().message() << '\n';
    return 1;
  }
  const bool cut_short = !file->cut_short.empty();
  if (cut_short) errors << "asio-console: " << path << ' ' << file->cut_short << "; dumping what is whole\n";
  replay_source source(*std::move(file), path,
                       {.start_at = options.at.value_or(absl::InfiniteDuration()), .playing = false});
  const std::string recorded = format_duration(absl::ToInt64Nanoseconds(source.duration()));
  if (options.at && *options.at > source.duration()) {
    errors << "asio-console: --at=" << absl::FormatDuration(*options.at) << " is past the end of " << path << " ("
           << recorded << " recorded" << (cut_short ? " whole" : "") << ")\n";
    return 1;
  }
  state model(options.model);
  if (absl::Status looked = take_recorded_look(source, model, path); !looked.ok()) {
    errors << "asio-console: " << looked.message() << '\n';
    return 1;
  }
  if (!model.ready()) {
    const std::optional<absl::Duration> first = source.first_publication();
    errors << "asio-console: " << path << " holds no whole snapshot "
           << (first ? absl::StrCat("before ", format_duration(absl::ToInt64Nanoseconds(*first)), " (try a later --at)")
                     : absl::StrCat("in its ", recorded))
           << '\n';
    return 1;
  }
  // "leak.rec (127.0.0.1:6669 at 2026-12-02 01:51:03)": what the dump shows, and when it was so.
  const playback_status* at = model.playback();
  const std::string shown =
      at == nullptr ? path
                    : absl::StrCat(path, " (", source.header().target, " at ", format_wall_clock(at->wall_clock()), ")");
  return print(model, shown, options, out, errors);
}

}  // namespace asio_console::console
