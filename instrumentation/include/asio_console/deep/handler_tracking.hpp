// Deep mode's hook into Asio (asio_console::deep in CMake): Asio's custom handler tracking, turned
// into a live record of every pending operation, attributed to the task that started it.
//
// Asio includes this header itself (BOOST_ASIO_CUSTOM_HANDLER_TRACKING, or standalone Asio's
// ASIO_CUSTOM_HANDLER_TRACKING, names it) from inside its own headers, so it includes no Asio header. Every Asio operation derives from tracked_operation:
// when a task's poll starts one (CREATION), it is linked into a list of pending operations with
// the task, the operation's name and the resource (the I/O object) it waits on; when Asio destroys
// it (completed, cancelled, or dropped with its io_context) it is unlinked. COMPLETION notes what
// woke the task; a socket's or descriptor's close ends its resource. See
// asio_console/instrumentation/pending_operations.hpp and resources.hpp.
//
// An ODR-level switch: every translation unit that includes Asio must see the same definition, or
// their operations differ in layout. asio_console::deep puts it on every target that links it.
#pragma once

#include "asio_console/deep/tracked_operation.hpp"

#define ASIO_CONSOLE_DEEP 1

// Boost.Asio's names, then standalone Asio's (ASIO_CONSOLE_STANDALONE_ASIO): each Asio reads its own.
#define BOOST_ASIO_INHERIT_TRACKED_HANDLER : public ::asio_console::deep::detail::tracked_operation
#define BOOST_ASIO_ALSO_INHERIT_TRACKED_HANDLER , public ::asio_console::deep::detail::tracked_operation
#define BOOST_ASIO_HANDLER_TRACKING_INIT (void)0
#define BOOST_ASIO_HANDLER_LOCATION(args) (void)0
#define BOOST_ASIO_HANDLER_CREATION(args) ::asio_console::deep::detail::creation args
#define BOOST_ASIO_HANDLER_COMPLETION(args) ::asio_console::deep::detail::completion args
#define BOOST_ASIO_HANDLER_INVOCATION_BEGIN(args) (void)0
#define BOOST_ASIO_HANDLER_INVOCATION_END (void)0
#define BOOST_ASIO_HANDLER_OPERATION(args) ::asio_console::deep::detail::object_operation args
#define BOOST_ASIO_HANDLER_REACTOR_REGISTRATION(args) (void)0
#define BOOST_ASIO_HANDLER_REACTOR_DEREGISTRATION(args) (void)0
#define BOOST_ASIO_HANDLER_REACTOR_READ_EVENT 1
#define BOOST_ASIO_HANDLER_REACTOR_WRITE_EVENT 2
#define BOOST_ASIO_HANDLER_REACTOR_ERROR_EVENT 4
#define BOOST_ASIO_HANDLER_REACTOR_EVENTS(args) (void)0
#define BOOST_ASIO_HANDLER_REACTOR_OPERATION(args) (void)0
#define ASIO_INHERIT_TRACKED_HANDLER : public ::asio_console::deep::detail::tracked_operation
#define ASIO_ALSO_INHERIT_TRACKED_HANDLER , public ::asio_console::deep::detail::tracked_operation
#define ASIO_HANDLER_TRACKING_INIT (void)0
#define ASIO_HANDLER_LOCATION(args) (void)0
#define ASIO_HANDLER_CREATION(args) ::asio_console::deep::detail::creation args
#define ASIO_HANDLER_COMPLETION(args) ::asio_console::deep::detail::completion args
#define ASIO_HANDLER_INVOCATION_BEGIN(args) (void)0
#define ASIO_HANDLER_INVOCATION_END (void)0
#define ASIO_HANDLER_OPERATION(args) ::asio_console::deep::detail::object_operation args
#define ASIO_HANDLER_REACTOR_REGISTRATION(args) (void)0
#define ASIO_HANDLER_REACTOR_DEREGISTRATION(args) (void)0
#define ASIO_HANDLER_REACTOR_READ_EVENT 1
#define ASIO_HANDLER_REACTOR_WRITE_EVENT 2
#define ASIO_HANDLER_REACTOR_ERROR_EVENT 4
#define ASIO_HANDLER_REACTOR_EVENTS(args) (void)0
#define ASIO_HANDLER_REACTOR_OPERATION(args) (void)0
