# Bus tests (issue 6): the envelope codec and the cross-instance Socket.IO adapter.
add_executable(bus_test bus_codec_test.cpp bus_adapter_test.cpp)
target_link_libraries(bus_test PRIVATE engage_bus engage_store GTest::gtest_main engage_warnings)
gtest_discover_tests(bus_test DISCOVERY_TIMEOUT 60)
add_executable(redis_cluster_test redis_cluster_test.cpp)
target_link_libraries(redis_cluster_test PRIVATE engage_store GTest::gtest_main engage_warnings)
gtest_discover_tests(redis_cluster_test DISCOVERY_TIMEOUT 60)
# Cluster store against a real local 3-master cluster: one process (one cluster) for all cases.
if(TARGET PkgConfig::HIREDIS_TEST)
  add_executable(redis_cluster_store_test redis_cluster_store_test.cpp redis_server_fixture.cpp)
  target_link_libraries(redis_cluster_store_test PRIVATE engage_store engage_net
                        PkgConfig::HIREDIS_TEST GTest::gtest_main engage_warnings)
  add_test(NAME redis_cluster_store_test COMMAND redis_cluster_store_test)
  set_tests_properties(redis_cluster_store_test PROPERTIES LABELS redis TIMEOUT 180)
endif()
