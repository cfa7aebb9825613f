// A recording file as `asio-console dump FILE` reads it: the input is the whole file, read from
// memory (a memfd, no disk). Every outcome is fine but a crash, a hang or an error that is not one
// line: a foreign, cut, corrupted or hostile file must read as a one-line error, or dump what is
// whole. Each form (text, JSON, stacks) is printed from the same file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "dump/dump_command.hpp"

namespace {
namespace console = asio_console::console;

// The file's one line of error, if any, must be one line.
void expect_one_line(const std::string& errors) {
  std::size_t lines = 0;
  for (char c : errors) lines += c == '\n';
  if (lines > 2) {  // a cut-short note, then at most one error
    std::fprintf(stderr, "more than two lines of errors:\n%s", errors.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // what does not parse is the point: no log line for each
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = ::memfd_create("recording", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  for (int form = 0; form < 3; ++form) {
    console::dump_options options;
    options.json = form == 1;
    options.stacks = form == 2;
    std::ostringstream out, errors;
    const int code = console::run_dump_recording(path, options, out, errors);
    if (code != 0 && code != 1 && code != 3) std::abort();
    expect_one_line(errors.str());
    if (code == 1) break;  // the file itself is wrong: every form says the same
  }
  return 0;
}
