#include "record/record_command.hpp"

#include <csignal>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "connection/live_connection.hpp"
#include "model/format.hpp"
#include "recording/recording_tee.hpp"

#ifndef ASIO_CONSOLE_VERSION
#define ASIO_CONSOLE_VERSION "unknown"
#endif

namespace asio_console::console {
namespace {

volatile std::sig_atomic_t stop_signal = 0;
void request_stop(int) { stop_signal = 1; }

void stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  for (int signal_number : {SIGTERM, SIGHUP, SIGINT}) sigaction(signal_number, &action, nullptr);
}

}  // namespace

absl::StatusOr<std::unique_ptr<recording_writer>> start_recording(const std::string& target_text,
                                                                  const std::string& path, std::uint64_t max_bytes) {
  return recording_writer::create(
      path, {target_text, absl::Now(), "asio-console " ASIO_CONSOLE_VERSION, v1::PROTOCOL_VERSION_1}, max_bytes);
}

int run_record(const target& where, const record_options& options, std::ostream& errors) {
  absl::StatusOr<std::unique_ptr<recording_writer>> created = start_recording(where.text, options.output, options.max_bytes);
  if (!created.ok()) {
    errors << "asio-console: " << created.status().message() << '\n';
    return 1;
  }
  recording_writer& writer = **created;
  stop_signal = 0;
  stop_on_signals();
  state model(options.model);
  const absl::Time began = absl::Now();
  const absl::Time stop_at = began + options.duration;
  absl::Time silent_until = began + options.timeout;  // before the first snapshot is whole
  bool had_snapshot = false;
  std::string failure;
  {
    live_connection connection(where, {.timeout = options.timeout});
    recording_tee tee(connection, writer);
    for (;;) {
      const std::vector<message> arrived = tee.wait_messages(std::min(stop_at, absl::Now() + absl::Milliseconds(100)));
      // A message the model cannot apply makes it ask for a fresh stream, which is recorded too.
      model.apply_all(arrived).IgnoreError();
      for (request& next : model.take_requests()) tee.send(std::move(next));
      const absl::Time now = absl::Now();
      had_snapshot = had_snapshot || model.ready();
      if (!had_snapshot) {
        const link_status& link = model.link();
        if (link.current == link_status::phase::waiting_to_retry || link.current == link_status::phase::closed) {
          failure = link.last_error;
          break;
        }
        if (!arrived.empty()) silent_until = now + options.timeout;
        if (now >= silent_until) {
          failure = link.current == link_status::phase::connected
                        ? describe_slow_snapshot(where, options.timeout)
                        : describe_failure(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), where, options.timeout);
          break;
        }
      }
      if (stop_signal != 0 || now >= stop_at || writer.full() || !writer.status().ok()) break;
    }
    // The stacks the last publications use, so that the file shows them.
    tee.keep_only_answers();
    const absl::Time until = absl::Now() + options.timeout;
    while (failure.empty() && model.symbolizing() && absl::Now() < until && writer.status().ok()) {
      for (const message& next : tee.wait_messages(until)) {
        if (std::holds_alternative<stacks_symbolized>(next)) model.apply(next).IgnoreError();
      }
      for (request& next : model.take_requests()) {
        if (std::holds_alternative<symbolize_request>(next)) tee.send(std::move(next));
      }
    }
  }
  const absl::Status written = writer.finish();
  if (!had_snapshot) {
    std::remove(options.output.c_str());
    if (failure.empty()) failure = absl::StrCat("stopped before ", where.text, " sent a whole snapshot");
    errors << "asio-console: " << failure << "; nothing recorded\n";
    return 1;
  }
  const std::string what = absl::StrCat(format_duration(absl::ToInt64Nanoseconds(writer.elapsed())), " of ", where.text,
                                        " (", writer.publications(), " publications, ",
                                        format_bytes(writer.bytes_written()), ")");
  if (!written.ok()) {
    errors << "asio-console: " << written.message() << "; " << options.output << " keeps " << what << '\n';
    return 1;
  }
  errors << "asio-console: recorded " << what << " to " << options.output
         << (writer.full() ? ", stopped at --max-bytes" : "") << '\n';
  return 0;
}

}  // namespace asio_console::console
