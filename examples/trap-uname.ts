/**
 * The seed's first example: trap `uname`. The filter sends SIGSYS when the
 * target calls uname(2), whose default disposition ends it: "Bad system call".
 * Runs under Node, Deno and Bun:
 *
 *   npm run example:trap-uname          # Node
 *   npm run example:trap-uname:deno
 *   npm run example:trap-uname:bun
 */
import { policy, run, seccomp } from "../mod.ts"

const trapUname = policy((rule) => rule.trap("uname"), { default: "allow" })

const result = await run(["uname", "-a"], { plugins: [seccomp(trapUname)] })
console.log(`uname ended with ${result.signal ?? `exit code ${result.exitCode}`}`)
console.log(result.diagnosis?.message ?? "no diagnosis")
