# Engine.IO / Socket.IO codec micro-benchmarks (the per-message path below the application).
add_executable(bench_codec codec_bench.cpp)
target_link_libraries(bench_codec PRIVATE engage_engineio engage_socketio benchmark::benchmark
                      engage_warnings)
