/**
 * The seed's third example, `on_trap`, rewritten for the supervisor. In
 * mruby-seccomp, `Seccomp.on_trap { |nr| ... }` is a SIGSYS handler inside the
 * trapped program, lost at exec. Here the policy *notifies* uname and mkdir,
 * and the handler runs in this process, the supervisor: it is told which
 * syscall was trapped (name, number, pid, args), in the target after its
 * execve and in the target's own children alike, and fails it with EPERM.
 * Runs under Node, Deno and Bun:
 *
 *   npm run example:on-trap          # Node
 *   npm run example:on-trap:deno
 *   npm run example:on-trap:bun
 */
import { answer, policy, run, seccomp, type NotifyHandler } from "../mod.ts"

const hex = (value: bigint): string => `0x${value.toString(16)}`

const onTrap: NotifyHandler = (call) => {
  console.log(`trapped ${call.name} (${call.syscall}) in pid ${call.pid}, args ${call.args.map(hex).join(", ")}: failing it with EPERM`)
  return answer.fail("EPERM")
}

const traps = policy((rule) => rule.notify(onTrap, "uname", "mkdir", "mkdirat"), { default: "allow" })

// The shell's children call uname and mkdir, so the pids differ from the shell's: each caller has its own.
const result = await run(["/bin/sh", "-c", "uname -s; mkdir /tmp/kakoi-on-trap"], { plugins: [seccomp(traps)] })
console.log(result.stderr.trimEnd())
console.log(`sh exited with code ${result.exitCode}`)
