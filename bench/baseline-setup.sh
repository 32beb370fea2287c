#!/usr/bin/env bash
# Installs the Node baseline (../shared/baseline: socket.io 4, node-redis 4, chess.js 1.4 from
# npm) into BASELINE_DIR (default $TMPDIR/engage-baseline): shared/ is read-only, so it is copied.
source "$(dirname "$0")/load_lib.sh"
setup_baseline
echo "baseline ready in $BASELINE_DIR ($(node -p "require('$BASELINE_DIR/node_modules/socket.io/package.json').version") socket.io)"
