// Asio's chat server built in deep mode (asio_console::deep) with 20 idle clients: each session's
// reader waits on its client's socket, by file descriptor and endpoint, each writer on its timer;
// the resources view lists the sockets, and a client's leaving closes its own.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "e2e/example_process.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/tmux_session.hpp"

namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio_console::testing::connect_with_retries;
using asio_console::testing::console_binary;
using asio_console::testing::endpoint_text;
using asio_console::testing::example;
using asio_console::testing::free_loopback_port;
using asio_console::testing::tmux_session;

constexpr int client_count = 20;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The screen's line that mentions `part`, or "".
std::string line_with(const std::string& screen, const std::string& part) {
  std::size_t at = screen.find(part);
  if (at == std::string::npos) return "";
  const std::size_t begin = screen.rfind('\n', at);
  const std::size_t end = screen.find('\n', at);
  return screen.substr(begin == std::string::npos ? 0 : begin + 1, end == std::string::npos ? end : end - begin - 1);
}

struct chat_with_clients {
  unsigned short port = free_loopback_port();
  example chat{E2E_CHAT_SERVER_DEEP_BINARY, {std::to_string(port)}};
  asio::io_context ctx;
  std::vector<tcp::socket> clients;
  chat_with_clients() {
    for (int i = 0; i < client_count; ++i) clients.push_back(connect_with_retries(ctx, port));
  }
};

bool waiting_on(const json::value& task, const char* kind) {
  const json::array& ops = task.at("pending_ops").as_array();
  return ops.size() == 1 && ops[0].at("object_kind") == kind;
}

bool all_waiting(const json::array& tasks) {
  int readers = 0;
  int writers = 0;
  for (const json::value& t : tasks) {
    if (t.at("parent_id").is_null() || t.at("state") != "idle") continue;
    readers += waiting_on(t, "socket");
    writers += waiting_on(t, "deadline_timer");
  }
  return readers == client_count && writers == client_count;
}

// The open sockets of the report, by remote endpoint.
std::map<std::string, json::object> open_sockets(const json::object& report) {
  std::map<std::string, json::object> out;
  for (const json::value& r : report.at("resources").as_array()) {
    if (r.at("kind") == "socket" && !r.at("closed").as_bool() && r.at("remote").is_string()) {
      out[std::string(r.at("remote").as_string())] = r.as_object();
    }
  }
  return out;
}

TEST(ChatServerDeep, EachSessionWaitsOnItsClientsSocketOrItsTimer) {
  chat_with_clients run;
  const json::array tasks = run.chat.tasks_when(all_waiting);
  ASSERT_TRUE(all_waiting(tasks)) << json::serialize(tasks);
  std::set<std::uint64_t> descriptors;
  for (const json::value& t : tasks) {
    if (t.at("parent_id").is_null()) {
      ASSERT_EQ(t.at("pending_ops").as_array().size(), 1u) << json::serialize(t);
      EXPECT_EQ(t.at("pending_ops").at(0).at("op"), "async_accept") << "the listener";
      EXPECT_EQ(t.at("pending_ops").at(0).at("object_kind"), "acceptor");
      continue;
    }
    const json::object& op = t.at("pending_ops").at(0).as_object();
    if (op.at("object_kind") == "socket") {
      EXPECT_EQ(op.at("op"), "async_receive");
      ASSERT_TRUE(op.at("native_handle").is_number()) << json::serialize(op);
      descriptors.insert(op.at("native_handle").to_number<std::uint64_t>());
    } else {
      EXPECT_EQ(op.at("op"), "async_wait");
      EXPECT_TRUE(op.at("native_handle").is_null());
    }
    EXPECT_GT(op.at("since_ns").to_number<std::int64_t>(), 0);
  }
  EXPECT_EQ(descriptors.size(), static_cast<std::size_t>(client_count)) << "one socket each";

  run.clients.erase(run.clients.begin() + client_count / 2, run.clients.end());  // half the clients leave
  const auto half_left = [&](const json::array& all) {
    int waiting = 0;
    for (const json::value& t : all) {
      if (!t.at("parent_id").is_null() && !t.at("pending_ops").as_array().empty()) ++waiting;
      if (t.at("state") == "completed" && !t.at("pending_ops").as_array().empty()) return false;
    }
    return waiting == client_count;  // a reader and a writer for each client still there
  };
  const json::array after = run.chat.tasks_when(half_left);
  EXPECT_TRUE(half_left(after)) << json::serialize(after);
}

TEST(ChatServerDeep, TheResourcesAreEachClientsSocketWithItsEndpointsAndItsReader) {
  chat_with_clients run;
  const auto every_client = [&](const json::object& report) {
    return all_waiting(report.at("tasks").as_array()) && open_sockets(report).size() == client_count;
  };
  const json::object report = run.chat.report_when(every_client);
  ASSERT_TRUE(every_client(report)) << json::serialize(report);
  std::map<std::uint64_t, const json::object*> tasks;
  for (const json::value& t : report.at("tasks").as_array()) tasks[t.at("id").to_number<std::uint64_t>()] = &t.as_object();
  const std::map<std::string, json::object> sockets = open_sockets(report);
  const std::string server_endpoint = "127.0.0.1:" + std::to_string(run.port);
  for (const tcp::socket& client : run.clients) {
    const auto it = sockets.find(endpoint_text(client.local_endpoint()));
    ASSERT_NE(it, sockets.end()) << "the server's socket of client " << endpoint_text(client.local_endpoint());
    const json::object& socket = it->second;
    EXPECT_EQ(socket.at("local"), json::value(server_endpoint));
    EXPECT_EQ(socket.at("pending_ops"), 1);
    EXPECT_GE(socket.at("ops_started").to_number<int>(), 1);
    ASSERT_EQ(socket.at("task_ids").as_array().size(), 1u) << json::serialize(socket);
    // The one task waiting is the session's reader, and its operation names this socket.
    const json::object& reader = *tasks.at(socket.at("task_ids").at(0).to_number<std::uint64_t>());
    const json::object& op = reader.at("pending_ops").at(0).as_object();
    EXPECT_EQ(op.at("object_id"), socket.at("id"));
    EXPECT_EQ(op.at("native_handle"), socket.at("native_handle"));
  }
  int acceptors = 0;
  for (const json::value& r : report.at("resources").as_array()) {
    if (r.at("kind") != "acceptor") continue;
    ++acceptors;
    EXPECT_EQ(r.at("local"), json::value("0.0.0.0:" + std::to_string(run.port)));
    EXPECT_TRUE(r.at("remote").is_null());
  }
  EXPECT_EQ(acceptors, 1);

  // The text dump lists the same sockets.
  const auto text = asio_console::testing::run_command(
      {console_binary(), "dump", run.chat.console_address, "--sample-for=0s"}, 60s);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "Resources (deep mode): ")) << text.out;
  for (const tcp::socket& client : run.clients) {
    const std::string row = line_with(text.out, endpoint_text(client.local_endpoint()));
    EXPECT_TRUE(contains(row, "socket") && contains(row, server_endpoint)) << text.out;
  }

  // A client leaves: its socket is closed (kept, marked so, for the retention time).
  const std::string leaving = endpoint_text(run.clients.front().local_endpoint());
  run.clients.erase(run.clients.begin());
  const auto closed = [&](const json::object& now) {
    for (const json::value& r : now.at("resources").as_array()) {
      if (r.at("remote") == json::value(leaving)) return r.at("closed").as_bool() && r.at("task_ids").as_array().empty();
    }
    return false;
  };
  const json::object after = run.chat.report_when(closed);
  EXPECT_TRUE(closed(after)) << json::serialize(after.at("resources"));
  EXPECT_EQ(open_sockets(after).size(), static_cast<std::size_t>(client_count - 1));
}

TEST(ChatServerDeep, TheResourcesViewListsEachSocketAndAClientsLeavingClosesIt) {
  chat_with_clients run;
  ASSERT_TRUE(all_waiting(run.chat.tasks_when(all_waiting)));
  tmux_session ui(console_binary() + " " + run.chat.console_address, 200, 70);
  ui.send({"r"});
  std::vector<std::string> endpoints;
  for (const tcp::socket& client : run.clients) endpoints.push_back(endpoint_text(client.local_endpoint()));
  std::string shown;
  // One row per client: its socket, on the server's port, with the client's endpoint as remote.
  const auto every_socket = [&](const std::string& screen) {
    for (const std::string& endpoint : endpoints) {
      const std::string row = line_with(screen, endpoint);
      if (!contains(row, "socket") || !contains(row, ":" + std::to_string(run.port)) || contains(row, "closed")) {
        return false;
      }
    }
    return contains(screen, "acceptor");
  };
  ASSERT_TRUE(ui.wait_for(every_socket, &shown)) << shown;

  // Enter on a socket: the task waiting on it; enter again: that task's "Waits on".
  ui.send({"/"});
  ui.send({endpoints[1]}, /*literal=*/true);
  ui.send({"Enter"});
  ASSERT_TRUE(ui.wait_for([&](const std::string& s) { return contains(line_with(s, endpoints[1]), "socket") &&
                                                             !contains(s, endpoints[2]); }, &shown)) << shown;
  ui.send({"Enter"});
  ASSERT_TRUE(ui.wait_for([&](const std::string& s) {
    return contains(s, "Tasks waiting on it (1)") && contains(s, "remote " + endpoints[1]);
  }, &shown)) << shown;
  ui.send({"Enter"});
  // Waited for whole: a capture can catch the terminal between the header and the row beneath it.
  EXPECT_TRUE(ui.wait_for([&](const std::string& s) {
    return contains(s, "Waits on (1 pending operation)") &&
           contains(line_with(s, "async_receive on socket"), "remote " + endpoints[1]);
  }, &shown)) << shown;

  // Back to the whole list (r, then esc clears the filter); the first client leaves and its row
  // says closed.
  ui.send({"r"});
  ui.send({"Escape"});
  ASSERT_TRUE(ui.wait_for([&](const std::string& s) { return every_socket(s); }, &shown)) << shown;
  run.clients.erase(run.clients.begin());
  EXPECT_TRUE(ui.wait_for([&](const std::string& s) { return contains(line_with(s, endpoints[0]), "closed"); }, &shown))
      << shown;
  EXPECT_FALSE(contains(line_with(shown, endpoints[1]), "closed")) << shown;
}

}  // namespace
