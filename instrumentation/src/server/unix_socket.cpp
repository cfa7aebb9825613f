#include "unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bind_address.hpp"

namespace asio_console::server_internal {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Whether a server answers on the socket at `path`.
bool answers(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

absl::StatusOr<std::string> percent_decoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
    if (high < 0 || low < 0) return absl::InvalidArgumentError(absl::StrCat("malformed % escape in '", text, "'"));
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

absl::StatusOr<unix_socket_binding> unix_socket_binding::prepare(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    if (!S_ISSOCK(info.st_mode)) {
      return absl::UnavailableError(absl::StrCat("cannot listen on unix:", path, ": it exists and is not a socket"));
    }
    if (answers(path)) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on unix:", path, ": the address is in use (a server answers there)"));
    }
    ::unlink(path.c_str());  // stale: its server is gone
  }
  std::string pattern = absl::StrCat(parent_of(path), "/.asio-XXXXXX");
  if (pattern.size() + 2 > max_unix_path_bytes) {  // where the socket is bound first: "<pattern>/s"
    return absl::UnavailableError(absl::StrCat("cannot listen on unix:", path, ": its folder's path is too long for a ",
                                               "unix socket (at most ", max_unix_path_bytes - 15, " bytes)"));
  }
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {  // mode 0700
    return absl::UnavailableError(
        absl::StrCat("cannot listen on unix:", path, ": cannot create a directory next to it (", std::strerror(errno), ")"));
  }
  return unix_socket_binding(path, buffer.data());
}

unix_socket_binding::unix_socket_binding(unix_socket_binding&& other) noexcept
    : path_(std::move(other.path_)), directory_(std::exchange(other.directory_, {})), placed_(std::exchange(other.placed_, false)),
      placed_inode_(other.placed_inode_) {}

unix_socket_binding::~unix_socket_binding() {
  if (placed_) {
    struct stat info {};
    // Only our own socket: another server may have replaced a path we stopped answering on.
    if (::lstat(path_.c_str(), &info) == 0 && info.st_ino == placed_inode_) ::unlink(path_.c_str());
  }
  if (!directory_.empty()) {
    ::unlink(absl::StrCat(directory_, "/s").c_str());
    ::rmdir(directory_.c_str());
  }
}

std::string unix_socket_binding::grpc_uri() const {
  std::string uri = "unix:";
  for (char c : absl::StrCat(directory_, "/s")) {
    if (c == '%') uri += "%25";  // gRPC decodes escapes
    else uri += c;
  }
  return uri;
}

absl::Status unix_socket_binding::place() {
  const std::string bound = absl::StrCat(directory_, "/s");
  struct stat info {};
  if (::chmod(bound.c_str(), 0600) != 0 || ::lstat(bound.c_str(), &info) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on unix:", path_, ": ", std::strerror(errno)));
  }
  // A hard link, not a rename: it fails if another server placed its socket there meanwhile.
  if (::link(bound.c_str(), path_.c_str()) != 0) {
    if (errno == EEXIST) {
      return absl::UnavailableError(absl::StrCat("cannot listen on unix:", path_, ": the address is in use"));
    }
    return absl::UnavailableError(absl::StrCat("cannot listen on unix:", path_, ": ", std::strerror(errno)));
  }
  ::unlink(bound.c_str());
  ::rmdir(directory_.c_str());  // gRPC keeps the socket open; the name it bound is gone
  directory_.clear();
  placed_ = true;
  placed_inode_ = info.st_ino;
  return absl::OkStatus();
}

}  // namespace asio_console::server_internal
