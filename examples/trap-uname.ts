/**
 * The seed's first example: trap `uname`. The filter sends SIGSYS when the
 * target calls uname(2), whose default disposition ends it: "Bad system call".
 *
 *   npm run example:trap-uname
 */
import { run } from "../adapters/node/mod.ts"
import { policy, seccomp } from "../plugins/seccomp/mod.ts"

const trapUname = policy((rule) => rule.trap("uname"), { default: "allow" })

const result = await run(["uname", "-a"], { plugins: [seccomp(trapUname)] })
console.log(`uname ended with ${result.signal ?? `exit code ${result.exitCode}`}`)
console.log(result.diagnosis?.message ?? "no diagnosis")
