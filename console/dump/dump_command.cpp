#include "dump/dump_command.hpp"

#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "connection/live_connection.hpp"
#include "dump/json_report.hpp"
#include "dump/stacks_report.hpp"
#include "dump/text_report.hpp"

namespace asio_console::console {
namespace {

// Reads `model` from `source`: the snapshot, then up to extra_publications more (for at most
// sample_for), then every stack symbolized. An error carries one line for the user.
absl::Status take_one_look(message_source& connection, state& model, const dump_options& options,
                           const target& where) {
  const auto timed_out = [&] {
    return absl::DeadlineExceededError(
        describe_failure(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), where, options.timeout));
  };
  absl::Time deadline = absl::Now() + options.timeout;  // silence before the snapshot is whole
  std::uint64_t wanted = 0;
  bool sampling = true;
  for (;;) {
    const std::vector<message> arrived = connection.wait_messages(deadline);
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

}  // namespace

int run_dump(const target& where, const dump_options& options, std::ostream& out, std::ostream& errors) {
  state model(options.model);
  {
    live_connection connection(where, {.timeout = options.timeout, .reconnect = false});
    if (absl::Status looked = take_one_look(connection, model, options, where); !looked.ok()) {
      errors << "asio-console: " << looked.message() << '\n';
      return 1;
    }
  }
  if (options.json) {
    write_json_report(out, model);
  } else if (options.stacks) {
    write_stacks_report(out, where.text, model, options.frames);
  } else {
    write_text_report(out, where.text, model, options.frames);
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

}  // namespace asio_console::console
