/**
 * run() and spawn() like execa: a time limit, a cancel signal, a cap on
 * output, exact bytes, interleaved output as lines, and messages that say
 * what happened. Runs under Node, Deno and Bun:
 *
 *   npm run example:run-like-execa          # Node
 *   npm run example:run-like-execa:deno
 *   npm run example:run-like-execa:bun
 */
import { run, spawn } from "../mod.ts"

const env = { PATH: "/usr/bin:/bin" }

// A time limit: SIGTERM to the child's whole process group after 300 ms (SIGKILL 5 s later if anything is left)
const slow = await run(["sleep", "5"], { env, timeout: 300 })
console.log(slow.timedOut, slow.signal, slow.shortMessage) // true SIGTERM Command timed out after 300 milliseconds: sleep 5

// Cancel with an AbortSignal
const controller = new AbortController()
setTimeout(() => controller.abort(), 100)
const canceled = await run(["sleep", "5"], { env, cancelSignal: controller.signal })
console.log(canceled.isCanceled, canceled.shortMessage) // true Command was canceled: sleep 5

// A cap on output: past maxBuffer bytes on a stream, the child is stopped and the output cut there (default 100 MB)
const chatty = await run(["yes"], { env, maxBuffer: 1000 })
console.log(chatty.isMaxBuffer, chatty.stdout.length, chatty.shortMessage) // true 1000 Command's stdout was larger than 1000 bytes: yes

// Exact bytes: stdout and stderr are Uint8Arrays
const bytes = await run(["printf", String.raw`\377\376`], { env, encoding: "buffer" })
console.log([...bytes.stdout].join(" ")) // 255 254

// stdout and stderr interleaved in arrival order, split into lines
const both = await run(["sh", "-c", "echo out; sleep 0.1; echo err >&2"], { env, all: true, lines: true })
console.log(both.all.join(",")) // out,err

// A child that ignores SIGTERM: kill() sends it, and SIGKILL follows forceKillAfterDelay ms later
const stubborn = await spawn(["sh", "-c", `trap "" TERM; echo armed; sleep 30`], { env, forceKillAfterDelay: 200 })
for await (const _ of stubborn.stdout ?? []) break
stubborn.kill()
const ended = await stubborn.result
console.log(ended.signal, ended.isForcefullyTerminated) // SIGKILL true

// A failure reads like execa's: what happened, the command, then what it wrote
const failed = await run(["sh", "-c", "echo oops >&2; exit 2"], { env })
console.log(failed.failed, JSON.stringify(failed.message)) // true "Command failed with exit code 2: sh -c \"echo oops >&2; exit 2\"\n\noops"
