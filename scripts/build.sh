#!/usr/bin/env bash
# Builds the npm package into dist/: JS + .d.ts from tsconfig.build.json, and
# the `kakoi` command as bundles in dist/cli (scripts/build-cli.ts, with Bun) with
# their V8 code caches (scripts/build-cli-cache.ts, with the Node that builds).
# adapters/select.js is plain JavaScript (so type checkers see only select.d.ts),
# and tsc cannot emit JS inputs here (allowJs conflicts with isolatedDeclarations):
# it is copied with its imports pointed at the built .js files. So is plugins/sandbox/host/runtime-libc.js
# (the same runtime switch for the sandbox's doctor()), with its .d.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
tsc -p tsconfig.build.json
sed 's/\.ts")$/.js")/' adapters/select.js > dist/adapters/select.js
if grep -q '\.ts")' dist/adapters/select.js; then
  echo "build: dist/adapters/select.js still imports .ts files" >&2
  exit 1
fi
sed '/import(/s/\.ts")/.js")/' plugins/sandbox/host/runtime-libc.js > dist/plugins/sandbox/host/runtime-libc.js
sed '/^import/s/\.ts"/.js"/' plugins/sandbox/host/runtime-libc.d.ts > dist/plugins/sandbox/host/runtime-libc.d.ts
if grep -qE 'import.*\.ts"' dist/plugins/sandbox/host/runtime-libc.js dist/plugins/sandbox/host/runtime-libc.d.ts; then
  echo "build: dist/plugins/sandbox/host/runtime-libc.* still import .ts files" >&2
  exit 1
fi
bun scripts/build-cli.ts dist
node scripts/build-cli-cache.ts dist
