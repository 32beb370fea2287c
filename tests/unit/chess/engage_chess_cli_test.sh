#!/usr/bin/env bash
# Black-box test of build/engage-chess (the path is $1): command formats, errors that leave the
# game unchanged, and survival of garbage input.
set -euo pipefail
bin=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { printf '%b' "$1" | "$bin"; }

# go perft: '<uci>: <count>' per root move (sorted), a blank line, then the total.
out=$(run 'go perft 2\nquit\n')
[ "$(echo "$out" | head -1)" = "a2a3: 20" ] || fail "perft first line: $(echo "$out" | head -1)"
[ "$(echo "$out" | grep -c ': ')" = 21 ] || fail "perft: 20 moves + total expected"
[ "$(echo "$out" | tail -2 | head -1)" = "" ] || fail "perft: blank line before the total"
[ "$(echo "$out" | tail -1)" = "Nodes searched: 400" ] || fail "perft total: $(echo "$out" | tail -1)"

# position ... moves, d, legal, status, san, pgn.
out=$(run 'position startpos moves e2e4 e7e5 g1f3\nd\n')
echo "$out" | grep -qx 'Fen: rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2' ||
  fail "d after moves"
[ "$(run 'position fen 4k3/8/8/8/8/8/8/4K2R w K - 0 1\nlegal\n')" = \
  "e1d1 e1d2 e1e2 e1f1 e1f2 e1g1 h1f1 h1g1 h1h2 h1h3 h1h4 h1h5 h1h6 h1h7 h1h8" ] ||
  fail "legal"
[ "$(run 'position startpos moves f2f3 e7e5 g2g4 d8h4\nstatus\n')" = checkmate ] || fail "status"
[ "$(run 'position startpos\nsan g1f3\n')" = Nf3 ] || fail "san"
run 'position startpos moves e2e4\npgn\n' | grep -qx '1. e4 \*' || fail "pgn"

# An illegal move prints an error and leaves the position unchanged.
out=$(run 'position startpos moves e2e4\nposition startpos moves d2d4 e7e5 e1e3\nfen\n')
[ "$(echo "$out" | head -1 | cut -c1-7)" = "error: " ] || fail "illegal move: no error line"
[ "$(echo "$out" | tail -1)" = "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1" ] ||
  fail "illegal move changed the position"
# A bad FEN prints an error and leaves the position unchanged.
out=$(run 'position fen 8/8/8 w - - 0 1\nfen\n')
[ "$(echo "$out" | head -1)" = "error: Invalid FEN: piece data does not contain 8 '/'-delimited rows" ] ||
  fail "bad fen: $(echo "$out" | head -1)"
[ "$(echo "$out" | tail -1)" = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1" ] ||
  fail "bad fen changed the position"
# chess.js move objects.
[ "$(run 'play e2 e5\n')" = 'error: Invalid move: {"from":"e2","to":"e5"}' ] || fail "play error"
[ "$(run 'play e2 e4 q\n')" = 'e2e4 e4' ] || fail "play"

# Garbage never crashes it; it keeps answering.
out=$( (head -c 65536 /dev/urandom | tr '\0' ' '; printf '\nisready\n') | "$bin" | tail -1)
[ "$out" = readyok ] || fail "garbage input: last line '$out'"
echo "engage-chess CLI: ok"
