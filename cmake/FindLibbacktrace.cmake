# Finds libbacktrace, the DWARF symbolizer behind Boost.Stacktrace's backtrace backend. GCC ships
# it (libgcc-dev) in its own library directory, so ask GCC where it is.
# Defines Libbacktrace::Libbacktrace.
if(TARGET Libbacktrace::Libbacktrace)
  set(Libbacktrace_FOUND TRUE)
  return()
endif()

find_program(LIBBACKTRACE_GCC NAMES gcc gcc-12 gcc-13 gcc-14)
set(_libbacktrace_hints "")
if(LIBBACKTRACE_GCC)
  execute_process(COMMAND ${LIBBACKTRACE_GCC} -print-file-name=libbacktrace.a
                  OUTPUT_VARIABLE _libbacktrace_archive OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(IS_ABSOLUTE "${_libbacktrace_archive}")
    get_filename_component(_libbacktrace_dir "${_libbacktrace_archive}" DIRECTORY)
    list(APPEND _libbacktrace_hints "${_libbacktrace_dir}")
  endif()
endif()
find_library(Libbacktrace_LIBRARY NAMES libbacktrace.a backtrace HINTS ${_libbacktrace_hints})
find_path(Libbacktrace_INCLUDE_DIR NAMES backtrace.h HINTS ${_libbacktrace_hints} PATH_SUFFIXES include)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libbacktrace REQUIRED_VARS Libbacktrace_LIBRARY Libbacktrace_INCLUDE_DIR)
if(Libbacktrace_FOUND)
  # GCC's folder also holds GCC's own intrinsics headers (xmmintrin.h, ...), which another compiler
  # (Clang) must not find: only backtrace.h is put on the include path, from a folder of its own.
  set(_libbacktrace_headers "${CMAKE_BINARY_DIR}/libbacktrace-include")
  file(COPY "${Libbacktrace_INCLUDE_DIR}/backtrace.h" DESTINATION "${_libbacktrace_headers}")
  add_library(Libbacktrace::Libbacktrace UNKNOWN IMPORTED)
  set_target_properties(Libbacktrace::Libbacktrace PROPERTIES
    IMPORTED_LOCATION "${Libbacktrace_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${_libbacktrace_headers}")
endif()
