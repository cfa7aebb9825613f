#include "recording/recording_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "asio_console/v1/application_text.hpp"
#include "model/format.hpp"

namespace asio_console::console {
namespace {

constexpr std::size_t chunk_flush_bytes = 1u << 20;  // a long snapshot is written in pieces this big
constexpr int compression_level = 3;

std::string system_error(int error) { return std::strerror(error); }

struct context_deleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One zstd frame with its content size and checksum: what makes a changed byte a failed frame.
std::string compress(const std::string& raw) {
  std::unique_ptr<ZSTD_CCtx, context_deleter> context(ZSTD_createCCtx());
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, compression_level);
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  const std::size_t size = ZSTD_compress2(context.get(), out.data(), out.size(), raw.data(), raw.size());
  out.resize(ZSTD_isError(size) ? 0 : size);
  return out;
}

void put_length(std::string& out, std::uint32_t length) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
}

std::uint32_t get_length(const char* in) {
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length |= std::uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return length;
}

}  // namespace

// --- writing ---------------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<recording_writer>> recording_writer::create(const std::string& path,
                                                                           const recording_header& header,
                                                                           std::uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", system_error(errno)));
  std::unique_ptr<recording_writer> writer(new recording_writer(path, fd, header.started, max_bytes));
  v1::RecordingHeader wire;
  wire.set_format_version(v1::RECORDING_FORMAT_1);
  wire.set_protocol_version(header.protocol_version);
  wire.set_target(header.target);
  wire.set_started_unix_ns(absl::ToUnixNanos(header.started));
  wire.set_recorded_by(header.recorded_by);
  if (!writer->write_frame(wire)) {
    if (writer->status_.ok()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("--max-bytes=", max_bytes, " leaves no room for the header of ", path));
    }
    return writer->status_;
  }
  return writer;
}

recording_writer::recording_writer(std::string path, int fd, absl::Time started, std::uint64_t max_bytes)
    : path_(std::move(path)), fd_(fd), started_(started), max_bytes_(max_bytes) {}

recording_writer::~recording_writer() { finish().IgnoreError(); }

void recording_writer::add(const message& next, absl::Time taken) {
  if (fd_ < 0 || full_) return;
  v1::RecordedMessage recorded;
  last_elapsed_ns_ = std::max(last_elapsed_ns_, absl::ToInt64Nanoseconds(taken - started_));
  recorded.set_elapsed_ns(last_elapsed_ns_);
  bool ends_moment = true;
  if (const auto* started = std::get_if<stream_started>(&next)) {
    stream_ = started->stream;
    recorded.set_stream_started(started->stream);
  } else if (const auto* update = std::get_if<v1::Update>(&next)) {
    *recorded.mutable_update() = *update;
    ends_moment = update->last_chunk();
    if (update->last_chunk() && (update->now_ns() != 0 || update->snapshot())) ++publications_;
  } else if (const auto* details = std::get_if<v1::TaskDetails>(&next)) {
    *recorded.mutable_task_details() = *details;
  } else if (const auto* stacks = std::get_if<stacks_symbolized>(&next)) {
    if (!stacks->error.empty() || stacks->stream != stream_) return;  // nothing, or of another process
    *recorded.mutable_stacks()->mutable_stacks() = stacks->response;
  } else if (const auto* link = std::get_if<link_status>(&next)) {
    // The stream broke: where the target was gone until the next stream (once per stream).
    const bool lost = link->current == link_status::phase::waiting_to_retry || link->current == link_status::phase::closed;
    if (!lost || stream_ == 0 || gone_after_stream_ == stream_) return;
    gone_after_stream_ = stream_;
    recorded.set_target_gone(link->last_error);
  } else {
    return;  // the console's own side (pause answers): not what the target said
  }
  pending_bytes_ += recorded.ByteSizeLong();
  *pending_.add_messages() = std::move(recorded);
  if (ends_moment || pending_bytes_ >= chunk_flush_bytes) write_chunk();
}

void recording_writer::write_chunk() {
  if (pending_.messages_size() == 0) return;
  pending_.set_sequence(chunks_written_ + 1);
  if (write_frame(pending_)) ++chunks_written_;
  pending_.Clear();
  pending_bytes_ = 0;
}

bool recording_writer::write_frame(const google::protobuf::MessageLite& content) {
  std::string frame;
  if (bytes_ == 0) frame = recording_magic;
  const std::string compressed = compress(content.SerializeAsString());
  if (compressed.empty() || compressed.size() > max_frame_bytes) {
    status_ = absl::InternalError(absl::StrCat("cannot compress a frame of ", path_));
    return false;
  }
  put_length(frame, static_cast<std::uint32_t>(compressed.size()));
  frame += compressed;
  if (bytes_ + frame.size() > max_bytes_) {
    full_ = true;
    return false;
  }
  for (std::size_t done = 0; done < frame.size();) {
    const ssize_t n = ::write(fd_, frame.data() + done, frame.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status_ = absl::UnavailableError(absl::StrCat("cannot write ", path_, ": ", system_error(errno)));
      ::close(fd_);
      fd_ = -1;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  bytes_ += frame.size();
  return true;
}

absl::Status recording_writer::finish() {
  if (fd_ >= 0) {
    write_chunk();
    if (fd_ >= 0 && ::close(fd_) != 0 && status_.ok()) {
      status_ = absl::UnavailableError(absl::StrCat("cannot write ", path_, ": ", system_error(errno)));
    }
    fd_ = -1;
  }
  return status_;
}

// --- reading ---------------------------------------------------------------------------------------

namespace {

// The frames of a file, one at a time, each checked.
class frame_reader {
 public:
  frame_reader(std::ifstream& in, std::string path, std::uint64_t file_bytes)
      : in_(in),
        path_(std::move(path)),
        offset_(recording_magic.size()),
        decoded_budget_(std::max<std::uint64_t>(min_decoded_budget, file_bytes * max_decoded_per_file_byte)) {}

  enum class outcome { frame, end, cut };

  // The next frame's content in `out`; `end` at the end of the file, `cut` inside a frame.
  absl::StatusOr<outcome> next(std::string& out) {
    const std::uint64_t at = offset_;
    char length_bytes[4];
    in_.read(length_bytes, 4);
    if (in_.gcount() == 0) return outcome::end;
    if (in_.gcount() < 4) return cut(at);
    const std::uint32_t length = get_length(length_bytes);
    if (length == 0 || length > max_frame_bytes) return corrupted(at, absl::StrCat("a frame claims ", length, " bytes"));
    std::string compressed(length, '\0');
    in_.read(compressed.data(), length);
    if (static_cast<std::uint32_t>(in_.gcount()) < length) return cut(at);
    offset_ += 4 + length;
    const unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
      return corrupted(at, "a frame is not a compressed frame");
    }
    if (size > max_frame_bytes) return corrupted(at, absl::StrCat("a frame claims ", size, " bytes uncompressed"));
    // Checked before anything is decompressed, so that a bomb costs no memory.
    decoded_ += size;
    if (decoded_ > decoded_budget_) {
      return corrupted(at, absl::StrCat("its frames decode to over ", format_bytes(decoded_budget_),
                                        ", more than a recording of its size holds (a decompression bomb?)"));
    }
    if (ZSTD_findFrameCompressedSize(compressed.data(), compressed.size()) != compressed.size()) {
      return corrupted(at, "a frame's length does not match its content");
    }
    out.assign(size, '\0');
    const std::size_t got = ZSTD_decompressDCtx(context_.get(), out.data(), out.size(), compressed.data(), compressed.size());
    if (ZSTD_isError(got)) return corrupted(at, ZSTD_getErrorName(got));
    if (got != size) return corrupted(at, "a frame is shorter than it claims");
    return outcome::frame;
  }

  absl::Status corrupted(std::uint64_t at, std::string_view why) const {
    return absl::DataLossError(absl::StrCat(path_, " is corrupted at byte ", at, ": ", std::string(why)));
  }
  // Where the last whole frame ends.
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  outcome cut(std::uint64_t at) {
    cut_at_ = at;
    return outcome::cut;
  }

  std::ifstream& in_;
  const std::string path_;
  std::uint64_t offset_;
  std::uint64_t cut_at_ = 0;
  const std::uint64_t decoded_budget_;
  std::uint64_t decoded_ = 0;
  std::unique_ptr<ZSTD_DCtx, context_deleter> context_{ZSTD_createDCtx()};
};

// Moves what `wire` holds into `out` (a frame may hold tens of MiB: never copied).
void convert(v1::RecordedMessage& wire, std::uint64_t& stream, std::vector<recorded_message>& out) {
  recorded_message next;
  next.elapsed_ns = std::max<std::int64_t>(out.empty() ? 0 : out.back().elapsed_ns, wire.elapsed_ns());
  switch (wire.kind_case()) {
    case v1::RecordedMessage::kStreamStarted:
      stream = wire.stream_started();
      next.what = stream_started{stream};
      break;
    case v1::RecordedMessage::kUpdate: next.what = std::move(*wire.mutable_update()); break;
    case v1::RecordedMessage::kTaskDetails: next.what = std::move(*wire.mutable_task_details()); break;
    case v1::RecordedMessage::kStacks: {
      stacks_symbolized answer;
      answer.stream = stream;
      answer.response = std::move(*wire.mutable_stacks()->mutable_stacks());
      for (const v1::Stack& s : answer.response.stacks()) answer.spawn_ids.push_back(s.id());
      for (const v1::Stack& s : answer.response.await_stacks()) answer.await_ids.push_back(s.id());
      next.what = std::move(answer);
      break;
    }
    case v1::RecordedMessage::kTargetGone: {
      link_status gone;
      gone.current = link_status::phase::waiting_to_retry;
      gone.last_error = v1::printable_text(wire.target_gone());
      next.what = std::move(gone);
      break;
    }
    case v1::RecordedMessage::KIND_NOT_SET: return;  // a kind a later console added: not needed to replay
  }
  out.push_back(std::move(next));
}

}  // namespace

absl::StatusOr<recording> read_recording(const std::string& path) {
  if (std::error_code error; std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", system_error(EISDIR)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", system_error(errno)));
  std::string magic(recording_magic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  magic.resize(static_cast<std::size_t>(in.gcount()));
  if (magic.empty()) return absl::InvalidArgumentError(absl::StrCat(path, " is empty, not an asio-console recording"));
  if (magic != recording_magic.substr(0, magic.size())) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not an asio-console recording"));
  }
  const auto ends_early = [&](std::string_view before) {
    return absl::DataLossError(absl::StrCat(path, " ends before ", std::string(before), " (cut short while it was written?)"));
  };
  if (magic.size() < recording_magic.size()) return ends_early("its header");

  std::error_code size_error;
  const std::uint64_t file_bytes = std::filesystem::file_size(path, size_error);
  frame_reader frames(in, path, size_error ? 0 : file_bytes);
  std::string content;
  absl::StatusOr<frame_reader::outcome> got = frames.next(content);
  if (!got.ok()) return got.status();
  if (*got != frame_reader::outcome::frame) return ends_early("its header");
  v1::RecordingHeader header;
  if (!header.ParseFromString(content)) return frames.corrupted(recording_magic.size(), "its header does not parse");
  if (header.format_version() != v1::RECORDING_FORMAT_1) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is in recording format ", header.format_version(),
                                                      "; this asio-console reads format ", v1::RECORDING_FORMAT_1));
  }
  if (header.protocol_version() != v1::PROTOCOL_VERSION_1) {
    return absl::FailedPreconditionError(absl::StrCat(path, " holds updates of protocol version ",
                                                      header.protocol_version(), "; this asio-console speaks ",
                                                      v1::PROTOCOL_VERSION_1));
  }
  recording file;
  file.header = {v1::printable_text(header.target()), absl::FromUnixNanos(header.started_unix_ns()),
                 v1::printable_text(header.recorded_by()),
                 header.protocol_version()};

  std::uint64_t stream = 0;
  std::uint64_t chunks = 0;
  for (;;) {
    const std::uint64_t at = frames.offset();
    got = frames.next(content);
    if (!got.ok()) return got.status();
    if (*got == frame_reader::outcome::end) break;
    if (*got == frame_reader::outcome::cut) {
      file.cut_short = absl::StrCat("ends inside a frame at byte ", at, " (cut short while it was written?)");
      break;
    }
    v1::RecordedChunk chunk;
    if (!chunk.ParseFromString(content)) return frames.corrupted(at, "a frame does not parse");
    std::string().swap(content);  // held once, parsed: a big frame's bytes are not kept twice
    ++chunks;
    if (chunk.sequence() != 0 && chunk.sequence() != chunks) {
      // Everything before is whole and in order: kept, as for a file cut short.
      file.cut_short = absl::StrCat("holds frame ", chunk.sequence(), " where frame ", chunks, " belongs, at byte ", at,
                                    " (a frame missing, repeated or moved)");
      break;
    }
    for (v1::RecordedMessage& wire : *chunk.mutable_messages()) {
      if (file.messages.empty() && wire.kind_case() != v1::RecordedMessage::kStreamStarted) {
        return frames.corrupted(at, "its first message does not start a stream");
      }
      convert(wire, stream, file.messages);
    }
  }
  if (file.messages.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " holds no stream: the recording stopped before ", file.header.target, " answered"));
  }
  return file;
}

}  // namespace asio_console::console
