/**
 * A small service that supervises a pool of sandboxed workers: each runs
 * under a seccomp policy (no mkdir, no ptrace) and resource limits. One
 * worker crashes once and is restarted; another crashes in a loop, and the
 * supervisor gives up on it with a typed error naming it and its last exits.
 * Runs under Node, Deno and Bun:
 *
 *   npm run example:worker-pool        # node examples/worker-pool.ts
 *   npm run example:worker-pool:deno   # deno run --allow-ffi --allow-run --allow-env --allow-read --allow-write examples/worker-pool.ts
 *   npm run example:worker-pool:bun    # bun examples/worker-pool.ts
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
// The root entry picks the adapter for the runtime it runs in (`kakoi` once installed).
import { formatEvent, policy, rlimit, seccomp, supervise } from "../mod.ts"

// Plugins of different error types in one list: plugins are covariant, so the list's type is their union.
const sandbox = [
  seccomp(policy((rule) => {
    rule.errno("EPERM", "mkdir", "mkdirat")
    rule.kill("ptrace")
  }, { default: "allow" })),
  rlimit({ nofile: 64, core: 0 })
]
const marker = join(mkdtempSync(join(tmpdir(), "kakoi-pool-")), "crashed-once")
const env = { PATH: "/usr/bin:/bin", MARKER: marker }
const worker = (name: string, script: string) => ({
  name,
  argv: ["/bin/sh", "-c", script],
  env,
  plugins: sandbox,
  backoff: { initialMs: 100, maxMs: 1000 },
  stop: { timeoutMs: 1000 },
  ready: { kind: "line", pattern: "ready" } as const
})

const tree = await supervise({
  name: "pool",
  strategy: "one-for-one",
  intensity: { maxRestarts: 3, withinMs: 5000 },
  children: [
    worker("worker-1", "echo ready; mkdir /tmp/kakoi-denied 2>&1 | head -1; sleep 60"),
    worker("worker-2", 'echo ready; if [ ! -e "$MARKER" ]; then : > "$MARKER"; sleep 0.3; echo crashing once; exit 1; fi; sleep 60'),
    worker("crash-loop", "echo ready; sleep 0.1; exit 2")
  ]
})
void (async () => {
  for await (const { child, line } of tree.lines) console.log(`${child} | ${line}`)
})()
void (async () => {
  for await (const event of tree.events) console.log(formatEvent(event))
})()
await tree.done.catch((error: Error) => console.log(`\n${error.message}`))
