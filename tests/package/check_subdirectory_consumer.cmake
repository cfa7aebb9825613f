# cmake -DSOURCE_DIR=... -DWORK_DIR=... [-DLAUNCHER=ccache] -P check_subdirectory_consumer.cmake
# Configures tests/package/subdirectory (add_subdirectory of this project) as if ncurses were not
# installed, builds it and runs it: embedders need no console and no ncurses.
file(REMOVE_RECURSE "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/steps.cmake)
step(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/package/subdirectory" -B "${WORK_DIR}" -G Ninja
     -DASIO_CONSOLE_SOURCE=${SOURCE_DIR} -DCMAKE_DISABLE_FIND_PACKAGE_Curses=TRUE -DCMAKE_BUILD_TYPE=Release ${launcher})
step(${CMAKE_COMMAND} --build "${WORK_DIR}")
step("${WORK_DIR}/embedder")
