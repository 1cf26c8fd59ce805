#!/usr/bin/env bash
# Lints openapi.json as .ci/run does: Redocly's recommended rules and Spectral's spectral:oas,
# failing on any error or warning (Redocly itself fails only on errors, so its totals are read).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --silent --no-audit --no-fund
totals=$(npx --no-install redocly lint openapi.json --config redocly.yaml --format json 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=JSON.parse(s).totals;console.log(`${t.errors} ${t.warnings}`)})')
echo "Redocly (recommended): errors warnings = $totals"
[ "$totals" = "0 0" ] || { npx --no-install redocly lint openapi.json --config redocly.yaml; exit 1; }
npx --no-install spectral lint openapi.json --ruleset .spectral.yaml --fail-severity warn
