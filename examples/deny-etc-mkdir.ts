/**
 * "Deny mkdir under /etc, allow it elsewhere", in the form a child cannot
 * race: the handler resolves the path itself (`resolvePath`: the caller's cwd
 * or dirfd, symlinks seen through), decides on that resolution, and makes the
 * directory itself in the directory it resolved (`answer.emulate` returns the
 * result), so the kernel never reads the child's memory again.
 *
 *   npm run example:deny-etc-mkdir                          # Node; mkdir in a temp dir, then /etc/kakoi-example-<pid>
 *   npm run example:deny-etc-mkdir -- mkdir -p /tmp/a /etc/b  # or any command of yours
 *   npm run example:deny-etc-mkdir:deno
 *   npm run example:deny-etc-mkdir:bun
 *
 * Why not read the path and answer `allow` (CONTINUE) when it is harmless:
 * the kernel then reads the path again from the child's memory, and another
 * thread of the child can have rewritten it in between (TOCTOU). A child that
 * flips its buffer between a harmless path and /etc/x gets /etc/x created
 * within a few tries (test/fixtures/toctou-mkdir.c). Never CONTINUE after
 * inspecting memory. A check on the text is fooled by symlinks too
 * (/tmp/link -> /etc); `resolvePath` reports where the call really lands.
 *
 * What it costs: the supervisor makes the directory with its own privileges
 * (here root, the directory owned by it; the child's umask applied), so the
 * handler is the whole permission check. Deny-lists like this one suit a
 * demo; for a boundary, allow only what the child may have
 * (`path.startsWith("/srv/data/")`), or use errno rules, a mount namespace or Landlock.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { posix } from "node:path"
import process from "node:process"
import { answer, PathError, policy, resolvePath, run, seccomp, type Notification, type NotifyHandler, type ResolvedPath } from "../mod.ts"

/** mkdir(path, mode) or mkdirat(dirfd, path, mode): where the call would land, resolved by the supervisor. */
const target = (call: Notification): ResolvedPath =>
  call.name === "mkdirat" ? resolvePath(call, 0, 1) : resolvePath(call, undefined, 0)

const denyEtc: NotifyHandler = (call) => {
  let where: ResolvedPath
  try {
    where = target(call)
  } catch (error) {
    // A parent that does not exist, a dirfd the child has not open, ...: fail the call as the kernel would.
    // Anything else (the caller died, a path into /proc, an unreadable pointer) escapes and denies the call.
    if (!(error instanceof PathError) || error.reason !== "Unresolvable") throw error
    console.log(`${call.name} "${error.path}" in pid ${call.pid}: cannot be resolved (${error.message})`)
    return answer.fail(error.errno)
  }
  if (where.path === "/etc" || where.path.startsWith("/etc/")) {
    console.log(`${call.name} "${where.path}" in pid ${call.pid}: denied with EACCES`)
    return answer.fail("EACCES")
  }
  const result = where.mkdir(call.args[call.name === "mkdirat" ? 2 : 1])
  console.log(`${call.name} "${where.path}" in pid ${call.pid}: made by the supervisor (${result === 0 ? "created" : `errno ${-result}`})`)
  return answer.emulate(result)
}

const fence = policy((rule) => rule.notify(denyEtc, "mkdir", "mkdirat"), { default: "allow" })

const given = process.argv.slice(2)
const scratch = given.length === 0 ? mkdtempSync(posix.join(tmpdir(), "kakoi-example-")) : undefined
const command = scratch === undefined ? given : ["mkdir", posix.join(scratch, "allowed"), `/etc/kakoi-example-${process.pid}`]
try {
  const result = await run(command, { plugins: [seccomp(fence)] })
  if (result.stdout !== "") console.log(result.stdout.trimEnd())
  if (result.stderr !== "") console.log(result.stderr.trimEnd())
  console.log(`${command[0]} exited with code ${result.exitCode}`)
} finally {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
}
