# Boost's own C++20 example programs, from Debian's libboost1.81-doc, used by the e2e tests and the
# whole-process benchmarks as programs nobody here wrote.
#
# asio_console_switched_example(<target> <source> <from> <to> [<from> <to>]...) builds <source> with
# the switch a user makes (every <from> becomes <to>, a search-and-replace at build time, nothing
# copied into the repository) and asio_console::serve() started before main (a force-included
# header).
# BOOST_DOC_EXAMPLES is the examples folder, or empty when the package is missing.
set(BOOST_DOC_EXAMPLES /usr/share/doc/libboost1.81-doc/examples/libs)
if(NOT EXISTS ${BOOST_DOC_EXAMPLES}/asio/example/cpp20/coroutines/chat_server.cpp)
  message(WARNING "libboost1.81-doc is not installed: the tests and benchmarks on Boost's examples are left out")
  set(BOOST_DOC_EXAMPLES "")
endif()

set(ASIO_CONSOLE_BOOST_EXAMPLES_SUPPORT ${CMAKE_CURRENT_LIST_DIR}/boost_examples)

function(asio_console_switched_example name source)
  set(switched ${CMAKE_CURRENT_BINARY_DIR}/switched/${name}.cpp)
  # The replacements, one line each (from, then to), with ";" written as <semicolon>: CMake lists
  # are ";"-separated, and switches such as "using boost::asio::co_spawn;" contain one. ARGV<n>
  # keeps each argument whole, where ARGN would split it.
  set(switches_file ${CMAKE_CURRENT_BINARY_DIR}/switched/${name}.switches)
  set(switches "")
  math(EXPR last "${ARGC} - 1")
  foreach(index RANGE 2 ${last})
    string(REPLACE ";" "<semicolon>" text "${ARGV${index}}")
    string(APPEND switches "${text}\n")
  endforeach()
  file(WRITE ${switches_file} "${switches}")
  add_custom_command(OUTPUT ${switched}
                     COMMAND ${CMAKE_COMMAND} -DSOURCE=${source} -DOUTPUT=${switched} -DSWITCHES=${switches_file}
                             -P ${ASIO_CONSOLE_BOOST_EXAMPLES_SUPPORT}/switch_co_spawn.cmake
                     DEPENDS ${source} ${switches_file} ${ASIO_CONSOLE_BOOST_EXAMPLES_SUPPORT}/switch_co_spawn.cmake
                     COMMENT "Switching ${name} to asio_console::co_spawn" VERBATIM)
  add_executable(${name} ${switched})
  target_link_libraries(${name} PRIVATE asio_console)
  target_compile_options(${name} PRIVATE "SHELL:-include ${ASIO_CONSOLE_BOOST_EXAMPLES_SUPPORT}/serve_at_startup.hpp")
endfunction()

# asio_console_flex_server(<target> PLAIN|RECORDED): Beast's advanced_server_flex_awaitable (HTTP,
# WebSocket and TLS detection), whose coroutines run on io_context's executor type itself, as Boost
# ships it or switched: co_spawn, plus the one executor alias README names ("Concrete executor types").
function(asio_console_flex_server name kind)
  set(source ${BOOST_DOC_EXAMPLES}/beast/example/advanced/server-flex-awaitable/advanced_server_flex_awaitable.cpp)
  if(kind STREQUAL "RECORDED")
    asio_console_switched_example(${name} ${source}
      "net::co_spawn(" "asio_console::co_spawn("
      "using executor_type = net::io_context::executor_type"
      "using executor_type = asio_console::task_executor<net::io_context::executor_type>")
  else()
    add_executable(${name} ${source})
  endif()
  find_package(OpenSSL REQUIRED)
  find_package(Threads REQUIRED)
  target_include_directories(${name} PRIVATE ${BOOST_DOC_EXAMPLES}/beast)
  target_compile_options(${name} PRIVATE "SHELL:-include list")  # it uses std::list without including <list>
  target_link_libraries(${name} PRIVATE OpenSSL::SSL OpenSSL::Crypto Boost::headers Threads::Threads)
endfunction()
