#include "recording/replay_source.hpp"

#include <algorithm>
#include <thread>

namespace asio_console::console {
namespace {

bool ends_publication(const message& m) {
  const auto* update = std::get_if<v1::Update>(&m);
  return update != nullptr && update->last_chunk() && (update->now_ns() != 0 || update->snapshot());
}

}  // namespace

replay_source::replay_source(recording file, std::string name, replay_options options)
    : file_(std::move(file)), name_(std::move(name)), clock_(std::move(options.clock)) {
  for (std::size_t i = 0; i < file_.messages.size(); ++i) {
    const message& m = file_.messages[i].what;
    if (std::holds_alternative<stream_started>(m) || segments_.empty()) segments_.push_back({i, {}, {}});
    if (const auto* stacks = std::get_if<stacks_symbolized>(&m)) {
      for (const v1::Stack& s : stacks->response.stacks()) segments_.back().spawn_stacks[s.id()] = s;
      for (const v1::Stack& s : stacks->response.await_stacks()) segments_.back().await_stacks[s.id()] = s;
    }
    if (ends_publication(m)) publication_ends_ns_.push_back(file_.messages[i].elapsed_ns);
  }
  if (!file_.messages.empty()) duration_ns_ = file_.messages.back().elapsed_ns;
  const std::int64_t start_ns =
      options.start_at ? absl::ToInt64Nanoseconds(*options.start_at)
                       : (publication_ends_ns_.empty() ? duration_ns_ : publication_ends_ns_.front());
  resumed_at_ = clock_();
  seek_to(start_ns);
  set_playing(options.playing);
}

std::optional<absl::Duration> replay_source::first_publication() const {
  if (publication_ends_ns_.empty()) return std::nullopt;
  return absl::Nanoseconds(publication_ends_ns_.front());
}

std::vector<message> replay_source::take_messages() {
  advance();
  report_position();
  std::vector<message> taken(std::make_move_iterator(out_.begin()), std::make_move_iterator(out_.end()));
  out_.clear();
  return taken;
}

std::vector<message> replay_source::wait_messages(absl::Time deadline) {
  for (;;) {
    std::vector<message> taken = take_messages();
    const absl::Time now = clock_();
    if (!taken.empty() || now >= deadline) return taken;
    absl::Time wake = deadline;
    if (playing_ && next_ < file_.messages.size()) {
      wake = std::min(wake, resumed_at_ + absl::Nanoseconds(file_.messages[next_].elapsed_ns - resumed_from_ns_));
    }
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(std::max(wake - now, absl::Milliseconds(1))));
  }
}

void replay_source::send(request next) {
  std::visit(
      [this](const auto& asked) {
        using kind = std::decay_t<decltype(asked)>;
        if constexpr (std::is_same_v<kind, symbolize_request>) answer(asked);
        if constexpr (std::is_same_v<kind, pause_request>) {
          advance();
          set_playing(!asked.paused);
          out_.push_back(pause_answered{asked.watcher_id, asked.paused, {}});
        }
        if constexpr (std::is_same_v<kind, watch_details_request>) {
          watched_task_ = asked.task_id;
          send_latest_details();
        }
        if constexpr (std::is_same_v<kind, seek_request>) seek(asked);
        // restart_request: the model could not apply an update of the file. Yielding it again would
        // fail the same way; the model shows why, and the next stream (or a seek) starts over.
      },
      next);
}

void replay_source::advance() {
  if (!playing_) return;
  const std::int64_t played = absl::ToInt64Nanoseconds(clock_() - resumed_at_);
  yield_until(std::min(duration_ns_, resumed_from_ns_ + std::max<std::int64_t>(0, played)));
}

void replay_source::seek(const seek_request& asked) {
  advance();
  // The publication shown is the last one whole at the position.
  const auto shown = std::upper_bound(publication_ends_ns_.begin(), publication_ends_ns_.end(), position_ns_);
  const std::int64_t start_ns = publication_ends_ns_.empty() ? 0 : publication_ends_ns_.front();
  const std::int64_t by_ns = absl::ToInt64Nanoseconds(asked.distance);
  switch (asked.where) {
    case seek_request::to::previous_publication:
      set_playing(false);
      if (shown - publication_ends_ns_.begin() >= 2) seek_to(*(shown - 2));
      break;
    case seek_request::to::next_publication:
      set_playing(false);
      if (shown != publication_ends_ns_.end()) seek_to(*shown);
      break;
    case seek_request::to::back: seek_to(std::max(start_ns, position_ns_ - by_ns)); break;
    case seek_request::to::forward: seek_to(std::min(duration_ns_, position_ns_ + by_ns)); break;
    case seek_request::to::start: seek_to(start_ns); break;
    case seek_request::to::end: seek_to(duration_ns_); break;
  }
}

void replay_source::seek_to(std::int64_t ns) {
  ns = std::clamp<std::int64_t>(ns, 0, duration_ns_);
  if (ns < position_ns_ || next_ == 0) {
    // Back: the model forgets and takes the stream the position falls in from its start.
    const auto after = std::upper_bound(file_.messages.begin(), file_.messages.end(), ns,
                                        [](std::int64_t at, const recorded_message& m) { return at < m.elapsed_ns; });
    const std::size_t last = after == file_.messages.begin() ? 0 : static_cast<std::size_t>(after - file_.messages.begin()) - 1;
    next_ = segments_.empty() ? 0 : segments_[segment_of(last)].begin;
    position_ns_ = 0;
  }
  yield_until(ns);
  resumed_from_ns_ = position_ns_;
  resumed_at_ = clock_();
}

void replay_source::yield_until(std::int64_t ns) {
  while (next_ < file_.messages.size() && file_.messages[next_].elapsed_ns <= ns) yield(next_++);
  position_ns_ = std::max(position_ns_, ns);
}

void replay_source::yield(std::size_t index) {
  const message& m = file_.messages[index].what;
  if (std::holds_alternative<stream_started>(m) || (index == 0 && stream_ == 0)) {
    segment_ = segment_of(index);
    segment_of_stream_[++stream_] = segment_;
    out_.push_back(stream_started{stream_});  // the model asks for the watched task's details again
    link_status back;  // the target is back, if it was gone
    back.current = link_status::phase::connected;
    out_.push_back(std::move(back));
    if (std::holds_alternative<stream_started>(m)) return;
  }
  if (std::holds_alternative<v1::Update>(m) || std::holds_alternative<link_status>(m)) out_.push_back(m);
  if (const auto* details = std::get_if<v1::TaskDetails>(&m); details != nullptr && details->task_id() == watched_task_) {
    out_.push_back(m);
  }
  // Symbolized stacks are not yielded: they answer the model's requests (answer()).
}

void replay_source::set_playing(bool playing) {
  playing_ = playing;
  resumed_from_ns_ = position_ns_;
  resumed_at_ = clock_();
}

void replay_source::answer(const symbolize_request& asked) {
  stacks_symbolized answer{asked.stream, asked.spawn_ids, asked.await_ids, {}, {}};
  const auto known = segment_of_stream_.find(asked.stream);
  const segment* from = known == segment_of_stream_.end() ? nullptr : &segments_[known->second];
  const auto fill = [](const auto* stacks, std::uint32_t id, v1::Stack* out) {
    if (stacks != nullptr) {
      if (auto it = stacks->find(id); it != stacks->end()) {
        *out = it->second;
        return;
      }
    }
    out->set_id(id);  // not in the recording: no frames, rather than asked for again and again
  };
  for (std::uint32_t id : asked.spawn_ids) fill(from ? &from->spawn_stacks : nullptr, id, answer.response.add_stacks());
  for (std::uint32_t id : asked.await_ids) fill(from ? &from->await_stacks : nullptr, id, answer.response.add_await_stacks());
  out_.push_back(std::move(answer));
}

void replay_source::send_latest_details() {
  if (watched_task_ == 0 || segments_.empty()) return;
  for (std::size_t i = next_; i > segments_[segment_].begin; --i) {
    const auto* details = std::get_if<v1::TaskDetails>(&file_.messages[i - 1].what);
    if (details != nullptr && details->task_id() == watched_task_) {
      out_.push_back(*details);
      return;
    }
  }
}

std::size_t replay_source::segment_of(std::size_t index) const {
  const auto after = std::upper_bound(segments_.begin(), segments_.end(), index,
                                      [](std::size_t i, const segment& s) { return i < s.begin; });
  return after == segments_.begin() ? 0 : static_cast<std::size_t>(after - segments_.begin()) - 1;
}

std::uint64_t replay_source::publications_until(std::int64_t ns) const {
  return static_cast<std::uint64_t>(
      std::upper_bound(publication_ends_ns_.begin(), publication_ends_ns_.end(), ns) - publication_ends_ns_.begin());
}

void replay_source::report_position() {
  playback_status now{position_ns_, duration_ns_, publications_until(position_ns_), publication_ends_ns_.size(),
                      playing_, file_.header.started, file_.cut_short};
  if (reported_ && reported_->at_ns == now.at_ns && reported_->playing == now.playing) return;
  reported_ = now;
  out_.push_back(std::move(now));
}

}  // namespace asio_console::console
