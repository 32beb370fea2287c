// Bitboard line tables (filled by attacks::init()) and a debug printer.
#include "chess/bitboard.h"

namespace engage::chess::detail {

Bitboard BetweenBB[SQUARE_NB][SQUARE_NB];
Bitboard LineBB[SQUARE_NB][SQUARE_NB];

}  // namespace engage::chess::detail
