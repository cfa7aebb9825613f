#include "asio_console/instrumentation/stack_table.hpp"

#include "asio_console/instrumentation/function_names.hpp"

#include <backtrace.h>
#include <cxxabi.h>

#include <boost/stacktrace/safe_dump_to.hpp>
#include <algorithm>
#include <cstdlib>

namespace asio_console::instrumentation {
namespace {

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  int status = 0;
  char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || demangled == nullptr) return name;
  std::string result(demangled);
  std::free(demangled);
  return result;
}

void ignore_error(void*, const char*, int) {}



// One libbacktrace state for the process: creating it is cheap, the first lookup loads the DWARF
// (about 130 ms for a large binary), and every later lookup reuses it. libbacktrace states are not
// safe for concurrent use here, so every call happens under stack_table::symbol_mutex_.
backtrace_state* process_backtrace_state() {
  static backtrace_state* const state =
      backtrace_create_state(nullptr, /*threaded=*/0, ignore_error, nullptr);
  return state;
}

struct pcinfo_result {
  std::vector<symbolized_frame> frames;  // innermost inlined function first
  std::uintptr_t address = 0;
};

int collect_pcinfo(void* data, std::uintptr_t, const char* file, int line, const char* function) {
  auto& result = *static_cast<pcinfo_result*>(data);
  if (function == nullptr && file == nullptr) return 0;
  result.frames.push_back(symbolized_frame{result.address, readable_function_name(demangle(function)), file ? file : "",
                                           static_cast<std::uint32_t>(line > 0 ? line : 0)});
  return 0;
}

void collect_syminfo(void* data, std::uintptr_t, const char* symbol, std::uintptr_t, std::uintptr_t) {
  auto& result = *static_cast<pcinfo_result*>(data);
  if (symbol != nullptr) result.frames.push_back(symbolized_frame{result.address, demangle(symbol), "", 0});
}

}  // namespace

std::size_t capture_stack(std::span<void*> frames, std::size_t skip) noexcept {
  if (frames.size() < 2) return 0;
  // safe_dump_to writes a terminating null frame and counts it.
  const std::size_t written = boost::stacktrace::safe_dump_to(skip + 1, frames.data(), frames.size_bytes());
  std::size_t count = 0;
  while (count < written && frames[count] != nullptr) ++count;
  return count;
}

stack_id stack_table::intern(std::span<void* const> frames) {
  if (frames.empty()) return 0;
  std::vector<std::uintptr_t> key;
  key.reserve(frames.size());
  for (void* frame : frames) key.push_back(reinterpret_cast<std::uintptr_t>(frame));
  return intern_locked(std::move(key));
}

stack_id stack_table::intern(std::span<const std::uintptr_t> frames) {
  if (frames.empty()) return 0;
  return intern_locked(std::vector<std::uintptr_t>(frames.begin(), frames.end()));
}

stack_id stack_table::intern_locked(std::vector<std::uintptr_t> key) {
  std::lock_guard lock(mutex_);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  if (stacks_.size() >= max_stacks_) return 0;
  stacks_.push_back(key);
  const auto id = static_cast<stack_id>(stacks_.size());
  ids_.emplace(std::move(key), id);
  return id;
}

std::vector<std::uintptr_t> stack_table::frames(stack_id id) const {
  std::lock_guard lock(mutex_);
  if (id == 0 || id > stacks_.size()) return {};
  return stacks_[id - 1];
}

std::size_t stack_table::size() const {
  std::lock_guard lock(mutex_);
  return stacks_.size();
}

std::size_t stack_table::memory_bytes() const {
  std::size_t bytes = 0;
  {
    std::lock_guard lock(mutex_);
    // Each stack is stored twice: in its slot and as its map key.
    for (const auto& frames : stacks_) bytes += 2 * (sizeof(frames) + frames.capacity() * sizeof(std::uintptr_t));
    bytes += ids_.capacity() * (sizeof(std::vector<std::uintptr_t>) + sizeof(stack_id) + 1);
  }
  std::lock_guard lock(symbol_mutex_);
  for (const auto& [address, frames] : symbols_) {
    bytes += sizeof(address) + sizeof(frames);
    for (const symbolized_frame& frame : frames) {
      bytes += sizeof(frame) + frame.function.capacity() + frame.file.capacity();
    }
  }
  return bytes;
}

std::vector<symbolized_frame> stack_table::symbolize(stack_id id) {
  std::vector<symbolized_frame> calls;
  std::vector<symbolized_frame> awaiting;
  for (std::uintptr_t frame : frames(id)) {
    std::vector<symbolized_frame> inlined = symbolize_address(frame);
    auto& part = (frame & awaiting_bit) != 0 ? awaiting : calls;
    part.insert(part.end(), std::make_move_iterator(inlined.begin()), std::make_move_iterator(inlined.end()));
  }
  // The innermost frames of a spawn are asio_console::co_spawn itself (inlined into the caller).
  const auto first_user_frame = std::find_if(calls.begin(), calls.end(), [](const symbolized_frame& frame) {
    return frame.function.find("asio_console::") == std::string::npos;
  });
  calls.erase(calls.begin(), first_user_frame);
  if (awaiting.empty() || calls.empty()) {
    calls.insert(calls.end(), std::make_move_iterator(awaiting.begin()), std::make_move_iterator(awaiting.end()));
    return calls;
  }
  // A call stack that continues as an await chain: the chain's first coroutine is the one that was
  // running (it is on the call stack too); below it the thread's stack is Asio resuming it, which
  // the coroutines awaiting it replace.
  const std::string& spawner = awaiting.front().function;
  auto cut = std::find_if(calls.begin(), calls.end(),
                          [&](const symbolized_frame& frame) { return frame.function == spawner; });
  auto continuation = awaiting.begin();
  if (cut != calls.end()) {
    ++cut;
    ++continuation;
  } else {
    cut = std::find_if(calls.begin(), calls.end(), [](const symbolized_frame& frame) {
      return frame.function.starts_with("boost::asio::detail::awaitable_") ||
             frame.function.starts_with("asio::detail::awaitable_");  // standalone Asio
    });
  }
  calls.erase(cut, calls.end());
  calls.insert(calls.end(), std::make_move_iterator(continuation), std::make_move_iterator(awaiting.end()));
  return calls;
}

std::vector<symbolized_frame> stack_table::symbolize_address(std::uintptr_t frame) {
  std::lock_guard lock(symbol_mutex_);
  if (auto it = symbols_.find(frame); it != symbols_.end()) return it->second;
  const bool awaiting = (frame & awaiting_bit) != 0;
  const std::uintptr_t address = frame & ~awaiting_bit;
  // A return address points after the call; the call itself is one byte earlier. A resume
  // function is looked up at its entry.
  const std::uintptr_t looked_up = awaiting ? address : address - 1;
  pcinfo_result result;
  result.address = address;
  if (backtrace_state* state = process_backtrace_state(); state != nullptr && address != 0) {
    backtrace_pcinfo(state, looked_up, collect_pcinfo, ignore_error, &result);
    // DWARF names functions without their scope ("TestBody"); the symbol table has the qualified
    // name of the function that contains the address, which is the outermost of the inlined chain.
    pcinfo_result symbol;
    symbol.address = address;
    backtrace_syminfo(state, looked_up, collect_syminfo, ignore_error, &symbol);
    if (!symbol.frames.empty()) {
      std::string qualified = readable_function_name(symbol.frames.front().function);
      if (result.frames.empty()) {
        result.frames.push_back(symbolized_frame{address, std::move(qualified), "", 0});
      } else {
        result.frames.back().function = std::move(qualified);
      }
    }
  }
  if (result.frames.empty()) result.frames.push_back(symbolized_frame{address, {}, {}, 0});
  for (symbolized_frame& symbolized : result.frames) symbolized.awaiting = awaiting;
  symbols_.emplace(frame, result.frames);
  return result.frames;
}

}  // namespace asio_console::instrumentation
