// Await stacks: where a task's coroutines are suspended, read from its coroutine frames.
//
// A task's coroutines form a chain in memory: Asio's entry-point frame (made by co_spawn) points to
// the innermost suspended frame, and every frame to the one awaiting it. The recorder keeps the
// address of the entry point's pointer (the task's "await anchor") and walks the chain at the
// moments the task is suspended and nothing else can resume it yet: when it takes work for an
// operation, or yields. It reads only each frame's resume function (which names the coroutine) and
// its caller link. The chain is interned like spawn stacks, so a task stores one 32-bit id.
//
// Frames are read on the task's own thread, inside one of its polls, and only while no other poll
// of the task runs: the reader announces itself (reading_frames) and then checks that its poll is
// the task's only one; a poll that starts while another is active waits for the announcement to
// clear. Either the reader sees the new poll and gives up, or the new poll waits: frames are never
// read while they may run. The anchor is cleared before the entry-point frame is destroyed, or when
// the task finishes, whichever comes first, so a finished task's frames are never read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "asio_console/instrumentation/task_record.hpp"

namespace asio_console::instrumentation {

/// Where a frame keeps what a walk reads: the offsets (from the start of Asio's
/// awaitable_frame_base) of its coroutine handle, whose frame's first word is the resume function
/// (GCC's and Clang's layout), of the thread pumping it (set only while it runs) and of its caller
/// link. asio_console's co_spawn checks them against Asio at compile time for every executor type
/// it records.
struct coroutine_frame_layout {
  static constexpr std::size_t coroutine_handle_offset = 0;
  static constexpr std::size_t attached_thread_offset = 8;
  static constexpr std::size_t caller_offset = 16;
  // The promise (the frame base) sits this far into its coroutine's frame, after the resume and
  // destroy functions: a walk stops at a "frame" whose handle does not point just before it.
  static constexpr std::size_t promise_offset_in_frame = 16;
};

/// Deepest await chain kept: frames beyond it (recursion, usually) are left out.
inline constexpr std::size_t max_await_depth = 32;

/// Decides, once, how frame readers and polls that overlap order themselves (registering the
/// process for membarrier(2) when the kernel has it). The registry calls it when it is created,
/// before any task runs, so that no poll pays for the system calls.
void prepare_frame_reading() noexcept;

/// Makes `anchor` (the address of the task's top-of-stack pointer in its entry-point frame) the
/// place the task's await stack is read from. Called at spawn, before the frame first runs. The
/// task's finish, and task_lifetime when the entry-point frame is destroyed inside the task's poll,
/// set it back to null.
void set_await_anchor(const task_handle& task, const void* anchor) noexcept;

/// The resume functions of `record`'s suspended coroutines, innermost first, out to the task's own
/// coroutine (co_spawn's entry point is left out). Empty if another poll of the task runs, if the
/// task has no coroutine frames, or outside a poll of the task on this thread (call it only there).
std::size_t read_await_chain(task_record& record, std::span<std::uintptr_t> out) noexcept;

}  // namespace asio_console::instrumentation
