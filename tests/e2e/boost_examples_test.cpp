// Programs nobody here wrote: Asio's chat server, Beast's awaitable HTTP server and Beast's
// HTTP/WebSocket/TLS-detecting "flex" server from Debian's libboost1.81-doc, switched to
// asio_console::co_spawn with one search-and-replace (the flex server, whose coroutines run on
// io_context's executor type itself, also gets the executor alias README names), run with real
// clients on loopback and read back through `asio-console dump --json`.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "e2e/example_process.hpp"
#include "support/process.hpp"

namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio_console::testing::child_process;
using asio_console::testing::connect_with_retries;
using asio_console::testing::console_binary;
using asio_console::testing::example;
using asio_console::testing::free_loopback_port;
using asio_console::testing::run_command;

std::string location_file(const json::value& task) {
  return std::string(task.at("location").at("file").as_string());
}

TEST(BoostExamples, ChatServerShowsItsListenerIdleSessionsAndTheirEnd) {
  const unsigned short port = free_loopback_port();
  example chat(E2E_CHAT_SERVER_BINARY, {std::to_string(port)});
  asio::io_context ctx;
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(connect_with_retries(ctx, port));
  asio::write(clients[0], asio::buffer(std::string("hello\n")));
  std::string line;
  asio::read_until(clients[1], asio::dynamic_buffer(line), '\n');
  EXPECT_EQ(line, "hello\n") << "the chat works while instrumented";

  // The listener, and a reader and a writer per client, spawned by the listener.
  const auto sessions_idle = [](const json::array& tasks) {
    int idle_sessions = 0;
    for (const json::value& t : tasks) {
      if (!t.at("parent_id").is_null() && t.at("state") == "idle") ++idle_sessions;
    }
    return idle_sessions == 6;
  };
  const json::array tasks = chat.tasks_when(sessions_idle);
  ASSERT_TRUE(sessions_idle(tasks)) << json::serialize(tasks);
  const json::value* listener = nullptr;
  for (const json::value& t : tasks) {
    if (t.at("parent_id").is_null()) listener = &t;
  }
  ASSERT_NE(listener, nullptr);
  EXPECT_TRUE(location_file(*listener).ends_with("e2e_chat_server.cpp"));
  EXPECT_NE(std::string(listener->at("location").at("function").as_string()).find("main"), std::string::npos);
  for (const json::value& t : tasks) {
    if (&t == listener) continue;
    EXPECT_EQ(t.at("parent_id"), listener->at("id")) << "sessions are spawned from the listener's poll";
    EXPECT_NE(std::string(t.at("location").at("function").as_string()).find("chat_session::start"), std::string::npos);
  }

  clients.clear();  // the clients leave
  const auto sessions_done = [](const json::array& all) {
    for (const json::value& t : all) {
      if (!t.at("parent_id").is_null() && t.at("state") != "completed") return false;
    }
    return all.size() == 7;
  };
  const json::array after = chat.tasks_when(sessions_done);
  EXPECT_TRUE(sessions_done(after)) << json::serialize(after);
}

TEST(BoostExamples, BeastAwaitableHttpServerShowsOneTaskPerConnection) {
  const unsigned short port = free_loopback_port();
  example http(E2E_HTTP_SERVER_AWAITABLE_BINARY, {"127.0.0.1", std::to_string(port), CMAKE_BINARY_DIR, "1"});
  asio::io_context ctx;
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(connect_with_retries(ctx, port));
  for (int round = 0; round < 5; ++round) {
    for (tcp::socket& client : clients) {
      asio::write(client, asio::buffer(std::string("GET /CMakeCache.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")));
      std::string response;
      asio::read_until(client, asio::dynamic_buffer(response), "\r\n\r\n");
      ASSERT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
      // The body follows; its length is in the header.
      const std::size_t at = response.find("Content-Length: ");
      ASSERT_NE(at, std::string::npos);
      const std::size_t length = std::stoul(response.substr(at + 16));
      const std::size_t header_end = response.find("\r\n\r\n") + 4;
      if (response.size() - header_end < length) {
        std::string rest(length - (response.size() - header_end), '\0');
        asio::read(client, asio::buffer(rest));
      }
    }
  }
  const auto four_sessions = [](const json::array& tasks) {
    int sessions = 0;
    for (const json::value& t : tasks) {
      if (!t.at("parent_id").is_null() && t.at("state") == "idle" && t.at("polls").to_number<int>() >= 5) ++sessions;
    }
    return sessions == 4;
  };
  const json::array tasks = http.tasks_when(four_sessions);
  ASSERT_TRUE(four_sessions(tasks)) << json::serialize(tasks);
  for (const json::value& t : tasks) {
    EXPECT_TRUE(location_file(t).ends_with("e2e_http_server_awaitable.cpp")) << json::serialize(t);
  }
}

// The flex server is built in the plain flavor only (tests/CMakeLists.txt).
#if defined(E2E_FLEX_SERVER_BINARY)
// The line of the n-th (1-based) occurrence of `text` in `file`.
std::uint32_t line_of(const std::string& file, const std::string& text, int occurrence = 1) {
  std::ifstream in(file);
  std::string line;
  for (std::uint32_t number = 1; std::getline(in, line); ++number) {
    if (line.find(text) != std::string::npos && --occurrence == 0) return number;
  }
  return 0;
}

bool waits_in(const json::value& task, std::string_view function) {
  for (const json::value& frame : task.at("await_stack").as_array()) {
    if (std::string_view(frame.at("function").as_string()).find(function) != std::string_view::npos) return true;
  }
  return false;
}

TEST(BoostExamples, BeastFlexServerOnAConcreteExecutorShowsItsListenerAndSessions) {
  namespace beast = boost::beast;
  const unsigned short port = free_loopback_port();
  example flex(E2E_FLEX_SERVER_BINARY, {"127.0.0.1", std::to_string(port), CMAKE_BINARY_DIR, "1"});
  asio::io_context ctx;

  // Plain HTTP clients on keep-alive connections, each after one request and its response.
  std::vector<beast::tcp_stream> http_clients;
  for (int i = 0; i < 3; ++i) {
    beast::tcp_stream& client = http_clients.emplace_back(connect_with_retries(ctx, port));
    beast::http::request<beast::http::empty_body> request(beast::http::verb::get, "/CMakeCache.txt", 11);
    request.set(beast::http::field::host, "localhost");
    request.keep_alive(true);
    beast::http::write(client, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(client, buffer, response);
    ASSERT_EQ(response.result(), beast::http::status::ok);
  }
  // WebSocket clients, idle after the handshake.
  std::vector<beast::websocket::stream<tcp::socket>> ws_clients;
  for (int i = 0; i < 2; ++i) {
    beast::websocket::stream<tcp::socket>& client = ws_clients.emplace_back(connect_with_retries(ctx, port));
    client.handshake("localhost", "/");
  }

  const std::string source = std::string(CMAKE_BINARY_DIR) + "/tests/switched/e2e_flex_server.cpp";
  const std::uint32_t listener_line = line_of(source, "asio_console::co_spawn(", 2);  // in main
  const std::uint32_t session_line = line_of(source, "asio_console::co_spawn(", 1);   // in listen
  ASSERT_NE(listener_line, 0u);
  const auto five_sessions = [&](const json::array& tasks) {
    int sessions = 0, websocket_idle = 0;
    bool listener_idle = false;
    for (const json::value& t : tasks) {
      if (t.at("parent_id").is_null()) {
        listener_idle = t.at("state") == "idle";
        continue;
      }
      if (t.at("state") == "completed") continue;
      ++sessions;
      if (t.at("state") == "idle" && waits_in(t, "run_websocket_session")) ++websocket_idle;
    }
    return listener_idle && sessions == 5 && websocket_idle == 2;
  };
  const json::array tasks = flex.tasks_when(five_sessions);
  ASSERT_TRUE(five_sessions(tasks)) << "an idle listener, 5 live sessions, the 2 WebSocket ones idle in their read\n"
                                    << json::serialize(tasks);
  const json::value* listener = nullptr;
  for (const json::value& t : tasks) {
    if (t.at("parent_id").is_null()) listener = &t;
  }
  ASSERT_NE(listener, nullptr) << json::serialize(tasks);
  EXPECT_TRUE(location_file(*listener).ends_with("e2e_flex_server.cpp"));
  EXPECT_EQ(listener->at("location").at("line").to_number<std::uint32_t>(), listener_line);
  EXPECT_TRUE(waits_in(*listener, "listen")) << "the listener waits in its accept loop\n" << json::serialize(*listener);
  for (const json::value& t : tasks) {
    if (&t == listener) continue;
    EXPECT_EQ(t.at("parent_id"), listener->at("id")) << json::serialize(t);
    EXPECT_EQ(t.at("location").at("line").to_number<std::uint32_t>(), session_line) << json::serialize(t);
  }

  http_clients.clear();
  ws_clients.clear();  // the clients leave without a goodbye
  const auto sessions_done = [](const json::array& all) {
    int completed = 0;
    for (const json::value& t : all) {
      if (t.at("parent_id").is_null()) continue;
      if (t.at("state") != "completed") return false;
      ++completed;
    }
    return completed == 5;
  };
  const json::array after = flex.tasks_when(sessions_done);
  EXPECT_TRUE(sessions_done(after)) << json::serialize(after);
}
#endif  // E2E_FLEX_SERVER_BINARY

}  // namespace
