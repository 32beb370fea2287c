# Embeds src/store/lua/*.lua into a generated header (store/redis_scripts.h) at configure time:
# each script's exact text and its SHA1 (what EVALSHA needs), so no Lua lives in C++ literals.
# Re-runs automatically when a script changes (CMAKE_CONFIGURE_DEPENDS).
set(ENGAGE_REDIS_SCRIPTS cas remove touch incr_window)
set(_engage_lua_out ${CMAKE_CURRENT_BINARY_DIR}/generated/store/redis_scripts.h)
set(_engage_lua_text "// Generated from src/store/lua/*.lua by src/store/redis_lua.cmake: do not edit.\n")
string(APPEND _engage_lua_text "#pragma once\n\n#include <string_view>\n\nnamespace engage::store::lua {\n\n")
string(APPEND _engage_lua_text "struct Script {\n  std::string_view name;\n  std::string_view source;\n  std::string_view sha1;\n};\n\n")
foreach(_name ${ENGAGE_REDIS_SCRIPTS})
  set(_file ${CMAKE_CURRENT_SOURCE_DIR}/lua/${_name}.lua)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_file})
  file(READ ${_file} _src)
  string(FIND "${_src}" ")lua\"" _clash)
  if(NOT _clash EQUAL -1)
    message(FATAL_ERROR "${_file} contains the raw-string delimiter )lua\"")
  endif()
  string(SHA1 _sha "${_src}")
  string(APPEND _engage_lua_text "inline constexpr Script k_${_name}{\"${_name}\", R\"lua(${_src})lua\", \"${_sha}\"};\n\n")
endforeach()
string(APPEND _engage_lua_text "}  // namespace engage::store::lua\n")
# Write through a temporary so the header (and what includes it) only changes when a script does.
file(WRITE ${_engage_lua_out}.tmp "${_engage_lua_text}")
configure_file(${_engage_lua_out}.tmp ${_engage_lua_out} COPYONLY)
