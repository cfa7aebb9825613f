#include "ui/ui_command.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "connection/live_connection.hpp"
#include "record/record_command.hpp"
#include "recording/recording_tee.hpp"
#include "recording/replay_source.hpp"
#include "model/resource_list.hpp"
#include "model/site_summary.hpp"
#include "model/task_table.hpp"
#include "ui/navigation.hpp"
#include "view/screens.hpp"
#include "view/terminal.hpp"

namespace asio_console::console {
namespace {

constexpr int frame_interval_ms = 100;

// Owns what the loop shows between frames: the model and the navigation, fed by a source of
// messages. Messages go to the model, its requests to the source, keys to the navigation, and the
// effects of keys to the model; nothing here waits on the network.
class ui_session {
 public:
  ui_session(message_source& source, const ui_options& options)
      : options_(options), model_(options.model), source_(source) {}

  // Applies what arrived and sends what the model asks for in return; a source that answers at
  // once (a replay) has its answers applied in the same frame, so a frame never shows half a move.
  // The rest of a publication whose first chunks came is taken before drawing (for a while): the
  // connection holds only a few chunks of a snapshot at a time. True if anything arrived.
  bool take_messages() {
    bool any = false;
    int rounds = 0;
    const absl::Time until = absl::Now() + absl::Milliseconds(500);
    for (;;) {
      std::vector<message> arrived = source_.take_messages();
      if (!arrived.empty()) {
        any = true;
        // A message the model cannot apply makes it ask for a fresh stream: nothing to do here.
        model_.apply_all(arrived).IgnoreError();
        send_requests();
      }
      const bool answers_may_follow = !arrived.empty() && ++rounds < 3;
      const bool rest_of_publication = any && model_.publication_underway() && absl::Now() < until;
      if (!answers_may_follow && !rest_of_publication) return any;
      if (arrived.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the next chunk is being read
    }
  }

  // Whether a frame can change with the clock alone: a countdown to the next connection attempt,
  // a pause or resume on its way.
  bool counting_down() const {
    return model_.link().current != link_status::phase::connected || model_.time().changing();
  }

  void handle(const terminal::key& pressed) {
    using to = seek_request::to;
    switch (nav_.handle(map_key(pressed.code, pressed.function_key, nav_.typing_filter()))) {
      case ui_effect::quit: quitting_ = true; break;
      case ui_effect::toggle_pause: model_.set_paused(!model_.time().wanted_paused()); break;
      case ui_effect::none: break;
      // A step shows one moment: the replay holds there, and the model says so once it confirms.
      case ui_effect::step_back: seek(to::previous_publication, true); break;
      case ui_effect::step_forward: seek(to::next_publication, true); break;
      case ui_effect::jump_back: seek(to::back); break;
      case ui_effect::jump_forward: seek(to::forward); break;
      case ui_effect::jump_start: seek(to::start); break;
      case ui_effect::jump_end: seek(to::end); break;
    }
    model_.watch_details(nav_.shown_task());  // asks only when the shown task changed
    send_requests();
  }
  bool quitting() const { return quitting_; }

  void draw(terminal& screen) {
    screen.clear_frame();
    const frame_context context{model_, nav_, options_.frames, source_.name()};
    if (nav_.help_shown()) {
      draw_help_screen(context);
    } else {
      switch (nav_.screen()) {
        case screen_kind::tasks: draw_tasks(context); break;
        case screen_kind::task: draw_task(context); break;
        case screen_kind::sites: draw_sites(context); break;
        case screen_kind::site: draw_site(context); break;
        case screen_kind::resources: draw_resources(context); break;
        case screen_kind::resource: draw_resource(context); break;
      }
    }
    screen.present();
  }

 private:
  void seek(seek_request::to where, bool pauses = false) {
    if (model_.playback() == nullptr) return;  // live: there is only now
    if (pauses) model_.set_paused(true);
    send_requests();
    source_.send(seek_request{where, absl::Seconds(10)});
  }
  void send_requests() {
    for (request& next : model_.take_requests()) source_.send(std::move(next));
  }

  void draw_tasks(const frame_context& context) {
    // Listing sorts every task: kept up to date with what changed instead, not on every frame.
    tasks_listed_.update(model_, nav_.order(), nav_.filter());
    nav_.set_rows(tasks_listed_.ids(), static_cast<std::size_t>(list_rows(chrome_height(context))));
    draw_tasks_screen(context, tasks_listed_.rows());
  }
  void draw_task(const frame_context& context) { draw_task_screen(context); }
  void draw_sites(const frame_context& context) {
    const std::vector<site_summary> rows = filter_sites(summarize_sites(model_), nav_.filter());
    std::vector<std::uint64_t> ids;
    for (const site_summary& s : rows) ids.push_back(s.where->id);
    nav_.set_rows(ids, static_cast<std::size_t>(list_rows(chrome_height(context))));
    draw_sites_screen(context, rows);
  }
  void draw_site(const frame_context& context) {
    const std::vector<site_summary> all = summarize_sites(model_);
    const auto it = std::find_if(all.begin(), all.end(), [&](const site_summary& s) { return s.where->id == nav_.focus(); });
    if (it == all.end()) {
      nav_.set_rows({}, 1);
      draw_chrome(context, "esc back");
      return;
    }
    std::vector<const task*> rows;
    for (const task* t : list_tasks(model_, nav_.order(), nav_.filter())) {
      if (t->site_id == it->where->id) rows.push_back(t);
    }
    const site_stacks stacks{visible_stacks(it->await_stacks, model_, options_.frames, stack_kind::await),
                             visible_stacks(it->stacks, model_, options_.frames)};
    nav_.set_rows(ids_of(rows), static_cast<std::size_t>(list_rows(site_screen_list_top(context, stacks))));
    draw_site_screen(context, *it, stacks, rows);
  }
  void draw_resources(const frame_context& context) {
    const std::vector<const resource*> rows = list_resources(model_, nav_.filter());
    std::vector<std::uint64_t> ids;
    for (const resource* r : rows) ids.push_back(r->id);
    nav_.set_rows(ids, static_cast<std::size_t>(list_rows(chrome_height(context) + 1)));
    draw_resources_screen(context, rows);
  }
  void draw_resource(const frame_context& context) {
    const resource* shown = model_.find_resource(nav_.focus());
    const std::vector<const task*> rows = shown != nullptr ? tasks_waiting_on(model_, *shown) : std::vector<const task*>();
    nav_.set_rows(ids_of(rows), static_cast<std::size_t>(list_rows(resource_screen_list_top(context))));
    draw_resource_screen(context, shown, rows);
  }
  static std::vector<std::uint64_t> ids_of(const std::vector<const task*>& rows) {
    std::vector<std::uint64_t> ids;
    ids.reserve(rows.size());
    for (const task* t : rows) ids.push_back(t->id);
    return ids;
  }

  const ui_options& options_;
  state model_;
  task_listing tasks_listed_;  // the tasks screen's rows
  navigation nav_;
  message_source& source_;
  bool quitting_ = false;
};

bool on_a_terminal() {
  if (::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) return true;
  std::cerr << "asio-console: the terminal UI needs a terminal; use `asio-console dump` in scripts\n";
  return false;
}

// Until the user quits (q, Ctrl-C) or a signal stops it. Drawn after every key and every message
// (durations move with the model's time, which only messages advance), every frame while a
// countdown runs, and once a second anyway: a console watching a process where nothing changes
// draws once a second, not ten times.
void run_session(message_source& source, const ui_options& options) {
  ui_session session(source, options);
  terminal screen(options.colors);
  bool changed = true;
  absl::Time drawn_at = absl::InfinitePast();
  while (!session.quitting() && !terminal::stop_requested()) {
    if (session.take_messages()) changed = true;
    const absl::Time now = absl::Now();
    if (changed || session.counting_down() || now - drawn_at >= absl::Seconds(1)) {
      session.draw(screen);
      drawn_at = now;
      changed = false;
    }
    if (auto key = screen.next_key(frame_interval_ms)) {
      if (!(key->function_key && key->code == KEY_RESIZE)) session.handle(*key);
      changed = true;
    }
  }
}

}  // namespace

int run_ui(const target& where, const ui_options& options) {
  if (!on_a_terminal()) return 2;
  std::unique_ptr<recording_writer> writer;
  if (!options.record.empty()) {
    absl::StatusOr<std::unique_ptr<recording_writer>> created = start_recording(where.text, options.record, options.max_record_bytes);
    if (!created.ok()) {
      std::cerr << "asio-console: " << created.status().message() << '\n';
      return 1;
    }
    writer = *std::move(created);
  }
  live_connection connection(where, {.timeout = options.timeout});
  if (writer == nullptr) {
    run_session(connection, options);
    return 0;
  }
  {
    recording_tee tee(connection, *writer);
    run_session(tee, options);
  }
  if (absl::Status written = writer->finish(); !written.ok()) {
    std::cerr << "asio-console: " << written.message() << '\n';
    return 1;
  }
  std::cerr << "asio-console: recorded " << writer->publications() << " publications to " << writer->path()
            << (writer->full() ? ", stopped at --max-bytes" : "") << '\n';
  return 0;
}

int run_replay(const std::string& path, const ui_options& options) {
  absl::StatusOr<recording> file = read_recording(path);
  if (!file.ok()) {
    std::cerr << "asio-console: " << file.status().message() << '\n';
    return 1;
  }
  if (!on_a_terminal()) return 2;
  const std::string cut_short = file->cut_short;
  replay_source source(*std::move(file), path);
  run_session(source, options);
  if (!cut_short.empty()) std::cerr << "asio-console: " << path << ' ' << cut_short << "; replayed what is whole\n";
  return 0;
}

}  // namespace asio_console::console
