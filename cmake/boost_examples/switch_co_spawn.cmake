# cmake -DSOURCE=... -DOUTPUT=... -DSWITCHES=<file> -P switch_co_spawn.cmake
# The switch a user makes: for each pair of lines in SWITCHES (from, then to), every `from` becomes
# `to` (a search-and-replace), nothing else.
file(READ "${SOURCE}" text)
file(STRINGS "${SWITCHES}" lines)
list(LENGTH lines count)
math(EXPR last "${count} - 1")
foreach(index RANGE 0 ${last} 2)
  math(EXPR next "${index} + 1")
  list(GET lines ${index} from)
  list(GET lines ${next} to)
  string(FIND "${text}" "${from}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "${SOURCE} has no \"${from}\" to switch")
  endif()
  string(REPLACE "${from}" "${to}" text "${text}")
endforeach()
file(WRITE "${OUTPUT}" "${text}")
