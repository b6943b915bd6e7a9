#!/usr/bin/env bash
# Checks kakoi as its users get it. The npm tarball (built JS + .d.ts) is
# installed into a fresh project; scripts/package-consumer.mjs, which imports
# `kakoi` and `kakoi/seccomp`, must type-check against the package's types and
# print the same line under Node 24, Node 22, Bun and Deno, and under Deno from
# source with the import map a JSR user gets from deno.json's exports. The
# built CLI (the bundles of scripts/build-cli.ts, byte for byte what a fresh
# build gives) runs under both Nodes, and `deno publish --dry-run` must pass.
# Needs the npm registry (the tarball's dependencies, node@22).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/node_modules/.bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

expected="mkdir: exit code 1, mkdir: cannot create directory 'TARGET': Operation not permitted; cat: through web streams"
# Runs a command in the consumer project and compares what it prints with $expected.
same() {
  local label=$1 actual
  shift
  actual=$(cd "$work/consumer" && "$@")
  if [ "$actual" != "$expected" ]; then
    printf 'check-package: %s printed\n  %s\nexpected\n  %s\n' "$label" "$actual" "$expected" >&2
    exit 1
  fi
  echo "ok: $label"
}

echo "== npm pack (prepack builds dist/)"
npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(echo "$work"/kakoi-*.tgz)

echo "== a fresh project installs the tarball"
mkdir "$work/consumer" "$work/node22"
cp scripts/package-consumer.mjs "$work/consumer/consumer.mjs"
cat >"$work/consumer/package.json" <<'JSON'
{ "name": "kakoi-consumer", "private": true, "type": "module", "allowScripts": { "koffi": true } }
JSON
# The types a user's tsc sees (the "types" conditions), without skipLibCheck.
cat >"$work/consumer/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "module": "nodenext", "target": "es2023", "lib": ["es2023", "dom"], "types": [],
    "strict": true, "allowJs": true, "checkJs": true, "noEmit": true
  },
  "include": ["consumer.mjs"]
}
JSON
(cd "$work/consumer" && npm install --silent --no-audit --no-fund "$tarball")
(cd "$work/consumer" && tsc -p .) && echo "ok: the consumer type-checks against the package's .d.ts"

echo "== Node 22 from the npm registry"
echo '{ "private": true, "allowScripts": { "node": true } }' >"$work/node22/package.json"
(cd "$work/node22" && npm install --silent --no-audit --no-fund node@22)
node22="$work/node22/node_modules/.bin"

echo "== the same script in every runtime"
same "node $(node --version)" node consumer.mjs
same "node $("$node22/node" --version)" "$node22/node" consumer.mjs
same "bun $(bun --version)" bun consumer.mjs
same "deno $(deno --version | head -1 | cut -d' ' -f2) (npm package)" deno run --quiet --allow-ffi --allow-run consumer.mjs
# The "default" condition (dist/mod.js, which picks at run time) exports what the "node" one does.
(cd "$work/consumer" && node --input-type=module -e '
  const picked = await import("./node_modules/kakoi/dist/mod.js")
  const node = await import("kakoi")
  const names = (module) => Object.keys(module).sort().join(" ")
  if (names(picked) !== names(node) || typeof picked.run !== "function") throw new Error(`dist/mod.js exports ${names(picked)}`)
') && echo "ok: dist/mod.js (the default condition)"

# Deno runs the sources (as from JSR), resolving `kakoi` and its subpaths as deno.json's exports say.
node scripts/deno-imports.mjs >"$work/consumer/deno.json"
same "deno $(deno --version | head -1 | cut -d' ' -f2) (sources)" deno run --quiet --allow-ffi --allow-run consumer.mjs

echo "== the built CLI"
# The bundles in the tarball are the ones the sources give (scripts/build-cli.ts is reproducible).
bun scripts/build-cli.ts "$work/fresh"
shipped=$(cd "$work/consumer/node_modules/kakoi/dist/cli" && ls -- *.js)
if [ "$shipped" != "$(cd "$work/fresh/cli" && ls -- *.js)" ]; then
  echo "check-package: the tarball's dist/cli holds $shipped, a fresh build $(ls "$work/fresh/cli")" >&2
  exit 1
fi
for file in $shipped; do cmp "$work/consumer/node_modules/kakoi/dist/cli/$file" "$work/fresh/cli/$file"; done
# The code caches are not byte-reproducible (scripts/build-cli-cache.ts): this Node must take each for its bundle.
node scripts/check-cli-caches.ts "$work/consumer/node_modules/kakoi/dist/cli"
echo "ok: the tarball's CLI bundles are a fresh build of the sources, and Node takes their code caches"
for bin in "$root/node_modules/.bin" "$node22"; do
  status=0
  stderr=$(cd "$work/consumer" && PATH="$bin:$PATH" LC_ALL=C node_modules/.bin/kakoi run --errno EPERM:mkdir,mkdirat -- mkdir made-by-cli 2>&1) || status=$?
  if [ "$status" != 1 ] || [[ "$stderr" != *"Operation not permitted"* ]]; then
    echo "check-package: kakoi run under $("$bin/node" --version) exited $status: $stderr" >&2
    exit 1
  fi
  echo "ok: kakoi run under node $("$bin/node" --version)"
done

echo "== deno publish --dry-run"
deno publish --dry-run --allow-dirty --quiet
echo "ok: deno publish --dry-run"
