#!/usr/bin/env bash
# Installs everything engage needs to build, run and test on Debian 12: the Debian packages
# (compilers, libraries, redis-server, nginx, haproxy, chromium, ...) and the npm packages of
# the tests and the web client (npm ci from the committed lock file). Idempotent and quick when
# everything is already there. Usage: scripts/install-deps.sh [--run-only]
set -euo pipefail
cd "$(dirname "$0")/.."

# Packages to build and run the server.
RUN_PKGS=(build-essential cmake pkg-config ccache libboost1.81-dev libhiredis-dev libspdlog-dev
  libfmt-dev libcli11-dev libjwt-dev libssl-dev redis-server)
# Packages for the tests, fuzzers and benchmarks.
TEST_PKGS=(clang libclang-rt-14-dev clang-format googletest libgtest-dev libbenchmark-dev nginx
  haproxy chromium stockfish ffmpeg gnuplot-nox procps psmisc curl rapidjson-dev heaptrack)

pkgs=("${RUN_PKGS[@]}")
[ "${1:-}" = "--run-only" ] || pkgs+=("${TEST_PKGS[@]}")

# Node.js and npm: use whatever is on the PATH (the machine may ship its own Node 20 whose npm
# conflicts with Debian's npm package); install Debian's only when the commands are absent.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian nginx/redis packages start system services on install; the tests start their own
# instances on free loopback ports, so the system ones are not needed (and may hold ports).
for svc in nginx redis-server haproxy; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" >/dev/null 2>&1 || true
  fi
done

if [ "${1:-}" != "--run-only" ] || [ -d web ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
echo "install-deps: ok"
