#include "model/wait_reason.hpp"

#include <array>
#include <string_view>

namespace asio_console::console {
namespace {

// The first template argument of `name`'s "::initiate<...>": the initiation object's type, which
// says what is started (the arguments after it mention other types, such as the stream).
std::string_view initiation_of(std::string_view name) {
  const std::size_t start = name.find("::initiate<");
  if (start == std::string_view::npos) return {};
  const std::size_t begin = start + 11;
  int depth = 0;
  for (std::size_t i = begin; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<' || c == '(') ++depth;
    if ((c == '>' || c == ')') && depth-- == 0) return name.substr(begin, i - begin);
    if (c == ',' && depth == 0) return name.substr(begin, i - begin);
  }
  return name.substr(begin);
}

bool has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

struct rule {
  std::string_view object;     // in the initiation's type (empty: any)
  std::string_view operation;  // in the initiation's type too
  std::string_view reason;
};

// First match wins: specific objects before the generic composed operations.
constexpr std::array rules = {
    rule{"initiate_co_spawn", "", "child task"},
    rule{"parallel_group", "", "parallel group"},
    rule{"websocket", "accept", "WebSocket accept"},
    rule{"websocket", "handshake", "WebSocket handshake"},
    rule{"websocket", "close", "WebSocket close"},
    rule{"websocket", "ping", "WebSocket ping"},
    rule{"websocket", "read", "WebSocket read"},
    rule{"websocket", "write", "WebSocket write"},
    rule{"beast::http", "read", "HTTP read"},
    rule{"beast::http", "write", "HTTP write"},
    rule{"ssl::", "handshake", "TLS handshake"},
    rule{"ssl::", "shutdown", "TLS shutdown"},
    rule{"ssl::", "read", "TLS read"},
    rule{"ssl::", "write", "TLS write"},
    rule{"channel", "receive", "channel receive"},
    rule{"channel", "send", "channel send"},
    rule{"timer", "wait", "timer wait"},
    rule{"basic_signal_set", "", "signal wait"},
    rule{"basic_resolver", "", "resolve"},
    rule{"basic_socket_acceptor", "accept", "accept"},
    rule{"basic_socket_acceptor", "wait", "acceptor wait"},
    rule{"basic_stream_socket", "receive", "socket read"},
    rule{"basic_stream_socket", "read_some", "socket read"},
    rule{"basic_stream_socket", "send", "socket write"},
    rule{"basic_stream_socket", "write_some", "socket write"},
    rule{"_socket<", "receive", "socket receive"},
    rule{"_socket<", "send", "socket send"},
    rule{"_socket<", "connect", "connect"},
    rule{"_socket<", "wait", "socket wait"},
    rule{"descriptor", "read", "descriptor read"},
    rule{"descriptor", "write", "descriptor write"},
    rule{"descriptor", "wait", "descriptor wait"},
    rule{"", "async_read_until", "read until"},
    rule{"", "initiate_async_read", "read"},
    rule{"", "initiate_async_write", "write"},
    rule{"", "initiate_async_connect", "connect"},
    rule{"", "initiate_post", "post"},
    rule{"", "initiate_dispatch", "dispatch"},
    rule{"", "initiate_defer", "defer"},
};

}  // namespace

std::string wait_reason(const std::vector<frame>& await_stack) {
  if (await_stack.empty()) return {};
  const std::string_view innermost = await_stack.front().function;
  if (has(innermost, "awaitable_operators::operator||")) return "any of (||)";
  if (has(innermost, "awaitable_operators::operator&&")) return "all of (&&)";
  const std::string_view initiation = initiation_of(innermost);
  if (initiation.empty()) return {};  // the user's own coroutine: what it awaits is not recorded
  for (const rule& r : rules) {
    if ((r.object.empty() || has(initiation, r.object)) && (r.operation.empty() || has(initiation, r.operation))) {
      return std::string(r.reason);
    }
  }
  // An initiation this table does not know: its own name ("initiate_async_frob" -> "async_frob").
  std::string_view name = initiation.substr(initiation.rfind("::") == std::string_view::npos ? 0 : initiation.rfind("::") + 2);
  if (name.starts_with("initiate_")) name.remove_prefix(9);
  return std::string(name);
}

}  // namespace asio_console::console
