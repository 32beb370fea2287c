# net-idle-memory: RSS per idle WebSocket client of an echo server built on engage_net (a
# driver, not a Google Benchmark: run it through bench/net-idle-memory.sh).
add_executable(net-idle-memory ${CMAKE_CURRENT_LIST_DIR}/net_idle.cpp)
target_link_libraries(net-idle-memory PRIVATE engage_net engage_warnings)
