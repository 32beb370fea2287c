# JSON micro-benchmark: our parser/writer vs RapidJSON (header-only, rapidjson-dev) on
# Socket.IO-sized messages.
add_executable(bench_json json_bench.cpp)
target_link_libraries(bench_json PRIVATE engage_core benchmark::benchmark engage_warnings)
