# cmake -DSOURCE=... -DOUTPUT=... -DFROM=... -DTO=... -P switch_co_spawn.cmake
# The one-line switch a user makes: every FROM becomes TO (a search-and-replace), nothing else.
file(READ "${SOURCE}" text)
string(FIND "${text}" "${FROM}" found)
if(found EQUAL -1)
  message(FATAL_ERROR "${SOURCE} has no \"${FROM}\" to switch")
endif()
string(REPLACE "${FROM}" "${TO}" text "${text}")
file(WRITE "${OUTPUT}" "${text}")
