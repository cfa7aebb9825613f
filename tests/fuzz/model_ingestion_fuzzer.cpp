// A hostile or broken target, as the console's model sees it: the input is a RecordedChunk (the
// wire form a recording keeps, uncompressed) whose messages arrive in order, as a live connection
// yields them. Updates and task details are applied as they come; a stacks message answers the
// model's latest request to symbolize, with whatever stacks it holds (missing, extra, empty or
// repeated ones included). After every message the model is read the way `dump` and the views
// read it. Whatever the target sends, the console must not crash or hang, nor take memory without
// bound (the smoke run's -timeout and -rss_limit_mb stand guard).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <variant>

#include <google/protobuf/stubs/logging.h>

#include "asio_console/v1/recording.pb.h"
#include "dump/json_report.hpp"
#include "dump/stacks_report.hpp"
#include "dump/text_report.hpp"
#include "model/frame_filter.hpp"
#include "model/resource_list.hpp"
#include "model/site_summary.hpp"
#include "model/state.hpp"
#include "model/task_table.hpp"

namespace {
namespace console = asio_console::console;
namespace v1 = asio_console::v1;

// What a terminal would act on: a byte below 0x20 but newline, or DEL.
bool has_control_byte(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\n') || byte == 0x7f) return true;
  }
  return false;
}

// Reads the model as every consumer of it does. The text forms, whatever bytes the target sent,
// hold nothing a terminal acts on (application text is shown escaped).
void read_everything(const console::state& model) {
  std::ostringstream out;
  console::write_json_report(out, model);
  std::ostringstream text;
  console::write_text_report(text, "fuzzed", model, console::frame_filter{});
  console::write_stacks_report(text, "fuzzed", model, console::frame_filter{});
  if (has_control_byte(text.str())) __builtin_trap();
  for (const console::task* t : console::list_tasks(model, {console::task_column::idle, false}, "a")) {
    (void)console::format_fields(*t);
    (void)model.children_of(t->id);
  }
  (void)console::filter_sites(console::summarize_sites(model), "s");
  for (const console::resource* r : console::list_resources(model, "")) (void)console::tasks_waiting_on(model, *r);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // what does not parse is the point: no log line for each
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  v1::RecordedChunk chunk;
  if (!chunk.ParseFromArray(data, static_cast<int>(size))) return -1;  // not worth keeping in the corpus

  console::state model;
  std::uint64_t stream = 1;
  (void)model.apply(console::message{console::stream_started{stream}});
  console::symbolize_request asked;  // the latest, answered by the next stacks message
  for (const v1::RecordedMessage& wire : chunk.messages()) {
    switch (wire.kind_case()) {
      case v1::RecordedMessage::kStreamStarted:
        stream = wire.stream_started();
        (void)model.apply(console::message{console::stream_started{stream}});
        break;
      case v1::RecordedMessage::kUpdate: (void)model.apply(console::message{wire.update()}); break;
      case v1::RecordedMessage::kTaskDetails: (void)model.apply(console::message{wire.task_details()}); break;
      case v1::RecordedMessage::kStacks: {
        console::stacks_symbolized answer{stream, asked.spawn_ids, asked.await_ids, wire.stacks().stacks(), {}};
        (void)model.apply(console::message{std::move(answer)});
        break;
      }
      case v1::RecordedMessage::kTargetGone: {
        console::link_status gone;
        gone.current = console::link_status::phase::waiting_to_retry;
        gone.last_error = wire.target_gone();
        (void)model.apply(console::message{gone});
        break;
      }
      case v1::RecordedMessage::KIND_NOT_SET: break;
    }
    for (console::request& next : model.take_requests()) {
      if (auto* symbolize = std::get_if<console::symbolize_request>(&next)) asked = std::move(*symbolize);
    }
    read_everything(model);
  }
  return 0;
}
