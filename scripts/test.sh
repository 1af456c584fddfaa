#!/usr/bin/env bash
# Sets everything up, then runs the test suite (node's built-in runner). Before the unit tests it builds
# the fixed evaluation set v1 and runs every policy over it: that step fails on a crash, never on a score.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p artifacts
echo "eval: building data/eval/v1 and scoring all policies (artifacts/eval-v1.json)"
node bin/soundflow.js data eval-set --name v1 --quiet
node bin/soundflow.js eval --data .cache/eval/v1 --policy all --json > artifacts/eval-v1.json
node -e "const r=require('./artifacts/eval-v1.json'); console.log('eval v1: ' + Object.entries(r.comparison ?? {}).map(([k,v]) => k + ' F1 ' + (v.f1 ?? 0).toFixed(3)).join(', '))"
npm test --silent
