# Fuzz target for the chess FEN and move parsers (fuzz/chess_fuzz.cpp).
engage_fuzz(chess engage_chess)
