// A recording written by hand for the recording tests: two streams (a target that restarted), the
// first with five publications of one more task each, a symbolized stack and a task's details.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "recording/recording_file.hpp"
#include "support/update_builder.hpp"

namespace asio_console::testing {

inline const absl::Time sample_recording_start = absl::FromUnixSeconds(1'800'000'000);

/// At t seconds (t = 1..5) the first stream's publication t has tasks 1..t; at 7 s the second
/// stream starts with task 100 alone, and at 8 s publishes task 101 too. Stack 9 (task 1's spawn
/// stack) is symbolized on the first stream; task 1's details come at 2 s and 4 s.
inline void write_sample_recording(console::recording_writer& writer) {
  using console::message;
  const auto at = [](double seconds) { return sample_recording_start + absl::Seconds(seconds); };
  const auto header = [](std::uint64_t watcher) {
    v1::Update h;
    h.set_protocol_version(1);
    h.set_watcher_id(watcher);
    h.set_last_chunk(true);
    return h;
  };
  constexpr std::int64_t second = 1'000'000'000;
  update_builder updates;
  writer.add(message{console::stream_started{1}}, at(0.5));
  writer.add(message{header(5)}, at(0.5));
  for (int t = 1; t <= 5; ++t) {
    updates.publication(t * second, t == 1);
    if (t == 1) updates.site(1, "/src/app.cpp", 10, "app::spawn");
    updates.new_task({.id = static_cast<std::uint64_t>(t), .name = "worker", .stack_id = t == 1 ? 9u : 0u});
    updates.site_stats(1, static_cast<std::uint64_t>(t), 0);
    writer.add(message{updates.build()}, at(t));
    if (t == 1) {
      console::stacks_symbolized stacks{1, {9}, {}, {}, {}};
      v1::Stack* stack = stacks.response.add_stacks();
      stack->set_id(9);
      v1::Frame* frame = stack->add_frames();
      frame->set_function("app::reporter::reporter()");
      frame->set_file("/src/app.cpp");
      frame->set_line(20);
      writer.add(message{stacks}, at(1.1));
      writer.add(message{console::pause_answered{5, true, {}}}, at(1.2));  // the console's own: not kept
    }
    if (t == 2 || t == 4) {
      v1::TaskDetails details;
      details.set_task_id(1);
      details.set_now_ns(t * second);
      details.set_note(t == 2 ? "first" : "second");
      writer.add(message{details}, at(t + 0.1));
    }
  }
  // The target went away at 6 s (the console retries twice; the first time is what is kept) and
  // came back at 7 s as another process.
  for (double gone_at : {6.0, 6.5}) {
    writer.add(message{console::link_status{.current = console::link_status::phase::waiting_to_retry,
                                            .last_error = "cannot connect to 127.0.0.1:6669: Connection refused"}},
               at(gone_at));
  }
  writer.add(message{console::stream_started{2}}, at(7));
  writer.add(message{header(6)}, at(7));
  update_builder restarted;
  writer.add(message{restarted.publication(second, true)
                         .site(1, "/src/app.cpp", 10, "app::spawn")
                         .new_task({.id = 100, .name = "fresh"})
                         .build()},
             at(7));
  writer.add(message{restarted.publication(2 * second).new_task({.id = 101, .name = "fresh"}).build()}, at(8));
}

}  // namespace asio_console::testing
