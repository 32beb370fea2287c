# The cross-instance bus (issue 6): envelope codec and the Socket.IO adapter over Store's bus.
# Depends only on headers of socketio/ and store/ (pure interfaces) and on engage_core.
add_library(engage_bus STATIC ${CMAKE_CURRENT_LIST_DIR}/bus_codec.cpp
                              ${CMAKE_CURRENT_LIST_DIR}/bus_adapter.cpp)
target_include_directories(engage_bus PUBLIC ${ENGAGE_ROOT}/src)
target_link_libraries(engage_bus PUBLIC engage_core Threads::Threads PRIVATE engage_warnings)
# Whoever uses a Store can install the bus adapter.
target_link_libraries(engage_store PUBLIC engage_bus)
# Redis Cluster, sans-I/O part (slots, key mapping, CLUSTER SLOTS, redirections).
target_sources(engage_store PRIVATE ${CMAKE_CURRENT_LIST_DIR}/redis_cluster.cpp)
# Redis Cluster and Sentinel stores: built with the Redis store (hiredis, generated scripts).
if(TARGET PkgConfig::HIREDIS)
  target_sources(engage_store PRIVATE ${CMAKE_CURRENT_LIST_DIR}/redis_cluster_store.cpp
                                      ${CMAKE_CURRENT_LIST_DIR}/redis_sentinel.cpp)
endif()
