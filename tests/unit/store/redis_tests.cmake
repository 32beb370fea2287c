# Redis store tests (issue 5): config/version parsing (no Redis) and the contract suite plus
# outage/auth/restart tests against real redis-server processes started by the tests on free
# loopback ports. Labelled "redis" (ctest -L redis / -LE redis); skipped without redis-server.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS_TEST REQUIRED IMPORTED_TARGET hiredis)
add_executable(redis_store_test redis_store_test.cpp redis_config_test.cpp redis_server_fixture.cpp)
target_link_libraries(redis_store_test PRIVATE engage_store engage_net PkgConfig::HIREDIS_TEST
                      GTest::gtest_main engage_warnings)
gtest_discover_tests(redis_store_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS redis TIMEOUT 120)
