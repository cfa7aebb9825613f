# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... [-DLAUNCHER=ccache] -P check_installed_package.cmake
# Installs the build into a scratch prefix, builds tests/package/consumer against it, runs it.
file(REMOVE_RECURSE "${WORK_DIR}")
include(${CMAKE_CURRENT_LIST_DIR}/steps.cmake)
step(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
step(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/package/consumer" -B "${WORK_DIR}/build" -G Ninja
     -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix ${launcher})
step(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
step("${WORK_DIR}/build/consumer")
step("${WORK_DIR}/build/consumer_disabled")
step("${WORK_DIR}/build/consumer_recorder_only")
# The recorder alone must not need gRPC at run time either.
execute_process(COMMAND ldd "${WORK_DIR}/build/consumer_recorder_only" OUTPUT_VARIABLE linked)
if(linked MATCHES "libgrpc")
  message(FATAL_ERROR "consumer_recorder_only links gRPC:\n${linked}")
endif()
