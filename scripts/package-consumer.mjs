/**
 * What a user of the published package writes, run by scripts/check-package.sh
 * under Node 24, Node 22, Bun (from the installed tarball) and Deno (from
 * source). It imports the root entry and a subpath, checks the behaviour
 * kakoi promises, and prints one line that must be the same in every runtime.
 * Plain JavaScript, so no runtime needs type stripping; tsc checks it against
 * the package's .d.ts (checkJs).
 */
import { run, spawn } from "kakoi"
import { policy, seccomp } from "kakoi/seccomp"

/** @param {string} message */
const fail = (message) => {
  throw new Error(`package-consumer: ${message}`)
}

const denyMkdir = seccomp(policy({ default: "allow", rules: [{ action: "errno", errno: "EPERM", syscalls: ["mkdir", "mkdirat"] }] }))
const target = new URL("./made-by-mkdir", import.meta.url).pathname
const env = { PATH: "/usr/bin:/bin" }

const denied = await run(["mkdir", target], { plugins: [denyMkdir], env })
if (denied.exitCode !== 1 || !denied.stderr.includes("Operation not permitted")) {
  fail(`mkdir under an errno EPERM rule: exit code ${denied.exitCode}, stderr ${JSON.stringify(denied.stderr)}`)
}

// The root's spawn hands out web streams in every runtime.
const cat = await spawn(["cat"], { env })
const writer = cat.stdin?.getWriter()
await writer?.write(new TextEncoder().encode("through web streams"))
await writer?.close()
const echoed = cat.stdout === undefined ? "" : await new Response(cat.stdout).text()
const catExit = await cat.result
if (echoed !== "through web streams" || catExit.exitCode !== 0) fail(`cat echoed ${JSON.stringify(echoed)}, exit code ${catExit.exitCode}`)

console.log(`mkdir: exit code ${denied.exitCode}, ${denied.stderr.replace(target, "TARGET").trim()}; cat: ${echoed}`)
