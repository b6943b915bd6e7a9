/**
 * "Deny mkdir under /etc, allow it elsewhere": a notify handler that reads
 * the path argument out of the child's memory (`readString`) and fails the
 * call with EACCES when it lands under /etc, even for root.
 *
 *   npm run example:deny-etc-mkdir                      # Node; makes a temp dir and tries /etc/kakoi-example-<pid>
 *   npm run example:deny-etc-mkdir -- /tmp/a /etc/b     # or your own paths
 *   npm run example:deny-etc-mkdir:deno
 *   npm run example:deny-etc-mkdir:bun
 *
 * Denying on what the handler read is sound: whatever the child does next,
 * this call does not run. Allowing on it would not be, as a security
 * decision: another thread of the child can rewrite the path after the
 * handler read it and before the kernel runs the call (the kernel's TOCTOU
 * warning), and a symlink such as /tmp/link -> /etc defeats a check on the
 * text. It is acceptable here only because "allow" is SECCOMP_USER_NOTIF_FLAG_CONTINUE:
 * the kernel then runs mkdir with its ordinary permission checks on whatever
 * the path says by then, exactly as without kakoi. The handler can take a
 * right away but never grant one, so a child that races or tricks it gets
 * no more than it had anyway. (A supervisor that *performed* the mkdir for
 * the child, with its own rights, on the strength of what it read, would be
 * a privilege escalation.) For a boundary the child cannot talk its way
 * around, use errno rules, a mount namespace or Landlock.
 */
import { mkdtempSync, readlinkSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { posix } from "node:path"
import process from "node:process"
import { answer, policy, readString, run, seccomp, type Notification, type NotifyHandler } from "../mod.ts"

const AT_FDCWD = -100

/**
 * Where the call would create its directory: mkdir(path, mode) or
 * mkdirat(dirfd, path, mode), relative paths resolved against the child's
 * cwd or dirfd. Lexical (".." and "//" collapsed, symlinks not followed):
 * good enough to deny on, see above.
 */
const target = (call: Notification): string => {
  const at = call.name === "mkdirat"
  const path = readString(call, at ? 1 : 0)
  if (path.startsWith("/")) return posix.normalize(path)
  const dirfd = at ? Number(BigInt.asIntN(32, call.args[0])) : AT_FDCWD
  return posix.resolve(readlinkSync(`/proc/${call.pid}/${dirfd === AT_FDCWD ? "cwd" : `fd/${dirfd}`}`), path)
}

// A read that fails (the caller died, a bad pointer) throws, and a handler that throws denies the call: fail closed.
const denyEtc: NotifyHandler = (call) => {
  const path = target(call)
  const underEtc = path === "/etc" || path.startsWith("/etc/")
  console.log(`${call.name} "${path}" in pid ${call.pid}: ${underEtc ? "denied with EACCES" : "allowed (the kernel checks permissions as usual)"}`)
  return underEtc ? answer.fail("EACCES") : answer.allow()
}

const fence = policy((rule) => rule.notify(denyEtc, "mkdir", "mkdirat"), { default: "allow" })

const given = process.argv.slice(2)
const scratch = given.length === 0 ? mkdtempSync(posix.join(tmpdir(), "kakoi-example-")) : undefined
const paths = scratch === undefined ? given : [posix.join(scratch, "allowed"), `/etc/kakoi-example-${process.pid}`]
try {
  const result = await run(["mkdir", ...paths], { plugins: [seccomp(fence)] })
  if (result.stderr !== "") console.log(result.stderr.trimEnd())
  console.log(`mkdir exited with code ${result.exitCode}`)
} finally {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
}
