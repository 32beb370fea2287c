# redis-store-bench: RedisStore move commits/s and latency percentiles; run by
# bench/redis_store.sh next to redis-benchmark on the same redis-server (see BENCHMARKS.md).
add_executable(redis-store-bench ${CMAKE_CURRENT_SOURCE_DIR}/redis_store_bench.cpp)
target_link_libraries(redis-store-bench PRIVATE engage_store engage_net engage_warnings)
