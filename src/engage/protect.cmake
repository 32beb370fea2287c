# engage protection (issue 8): rate limits over the Store, JWT verification of handshake
# tokens, connection guard, issue-8 options and the metered Socket.IO decorator, in their own library so that the application links them without owning them.
find_library(ENGAGE_LIBJWT jwt REQUIRED)
find_package(OpenSSL REQUIRED)
add_library(engage_protect STATIC ${CMAKE_CURRENT_LIST_DIR}/rate_limit.cpp
                                  ${CMAKE_CURRENT_LIST_DIR}/jwt_auth.cpp
                                  ${CMAKE_CURRENT_LIST_DIR}/conn_guard.cpp
                                  ${CMAKE_CURRENT_LIST_DIR}/protection.cpp
                                  ${CMAKE_CURRENT_LIST_DIR}/metered_server.cpp
                                  ${CMAKE_CURRENT_LIST_DIR}/metered_store.cpp)
target_link_libraries(engage_protect PUBLIC engage_rooms engage_store engage_http engage_core
                      PRIVATE ${ENGAGE_LIBJWT} OpenSSL::Crypto engage_warnings)
if(TARGET engage_app)
  target_link_libraries(engage_app PUBLIC engage_protect)  # install.cpp wires the protection
endif()
