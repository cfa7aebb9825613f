#include "support/update_reader.hpp"

namespace asio_console::testing {

void console_model::apply(const v1::Update& update) {
  if (update.watcher_id() != 0) watcher_id = update.watcher_id();
  if (!update.resync_reason().empty()) last_resync_reason = update.resync_reason();
  if (update.has_counters()) counters = update.counters();
  if (update.snapshot()) {
    tasks.clear();
    ++snapshots;
  }
  for (const auto& s : update.new_strings()) strings[s.id()] = s.value();
  const auto resolve = [&](std::uint32_t id) { return id == 0 ? std::string() : strings.at(id); };
  const auto note = [&](std::uint64_t id, const v1::TaskStats& stats) {
    task_view& task = tasks[id];
    if (stats.state() == v1::TASK_STATE_COMPLETED && task.state != v1::TASK_STATE_COMPLETED) ++completions[id];
    task.state = stats.state();
    task.outcome = stats.outcome();
    task.polls = stats.polls();
  };
  for (const auto& t : update.new_tasks()) {
    task_view& task = tasks[t.id()];
    task.name = resolve(t.name());
    task.parent_id = t.parent_id();
    task.site_id = t.site_id();
    task.stack_id = t.stack_id();
    note(t.id(), t.stats());
  }
  for (const auto& stats : update.changed_stats()) note(stats.id(), stats);
  for (std::uint64_t id : update.removed_task_ids()) tasks.erase(id);
}

std::optional<task_view> console_model::named(const std::string& name) const {
  for (const auto& [id, task] : tasks) {
    if (task.name == name) return task;
  }
  return std::nullopt;
}

std::unique_ptr<v1::Instrument::Stub> connect(const std::string& address) {
  return v1::Instrument::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

update_reader::update_reader(const std::string& address, std::uint32_t protocol_version)
    : stub_(connect(address)) {
  context_.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  v1::WatchUpdatesRequest request;
  request.set_protocol_version(protocol_version);
  reader_ = stub_->WatchUpdates(&context_, request);
  thread_ = std::thread([this] {
    v1::Update update;
    while (reader_->Read(&update)) {
      std::lock_guard lock(mutex_);
      inbox_.push_back(std::move(update));
      arrived_.notify_all();
    }
    grpc::Status status = reader_->Finish();
    std::lock_guard lock(mutex_);
    status_ = std::move(status);
    arrived_.notify_all();
  });
}

update_reader::~update_reader() { finish(); }

std::optional<v1::Update> update_reader::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return !inbox_.empty() || status_.has_value(); });
  if (inbox_.empty()) return std::nullopt;
  v1::Update update = std::move(inbox_.front());
  inbox_.pop_front();
  return update;
}

bool update_reader::ended() {
  std::lock_guard lock(mutex_);
  return status_.has_value();
}

grpc::Status update_reader::finish() {
  if (thread_.joinable()) {
    if (!ended()) context_.TryCancel();
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  return status_.value_or(grpc::Status::OK);
}

}  // namespace asio_console::testing
