# Chess micro-benchmarks (bench/chess_bench.cpp): move validation + application through
# Game::play, legal move generation, perft, FEN and SAN. perft(6) against Stockfish is timed
# by bench/chess-perft.sh instead.
add_executable(bench_chess ${CMAKE_CURRENT_LIST_DIR}/chess_bench.cpp)
target_link_libraries(bench_chess PRIVATE engage_chess benchmark::benchmark engage_warnings)
