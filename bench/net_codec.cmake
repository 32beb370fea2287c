# Network edge codec micro-benchmarks (bench/net_codec_bench.cpp): HTTP request parsing and
# WebSocket frame parsing/encoding — the per-message work below Engine.IO.
add_executable(bench_net_codec ${CMAKE_CURRENT_LIST_DIR}/net_codec_bench.cpp)
target_link_libraries(bench_net_codec PRIVATE engage_net_codec benchmark::benchmark engage_warnings)
