#!/usr/bin/env bash
# Sets everything up, then runs the test suite (node's built-in runner).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test --silent
