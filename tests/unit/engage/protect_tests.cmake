# Unit tests of the protection library (rate limits, JWT).
find_package(OpenSSL REQUIRED)
add_executable(engage_protect_test ${CMAKE_CURRENT_LIST_DIR}/rate_limit_test.cpp
                                   ${CMAKE_CURRENT_LIST_DIR}/jwt_auth_test.cpp
                                   ${CMAKE_CURRENT_LIST_DIR}/conn_guard_test.cpp
                                   ${CMAKE_CURRENT_LIST_DIR}/metered_server_test.cpp)
target_link_libraries(engage_protect_test PRIVATE engage_protect ${ENGAGE_LIBJWT} OpenSSL::Crypto
                      GTest::gtest_main engage_warnings)
gtest_discover_tests(engage_protect_test)
