/**
 * Deno permissions kakoi needs, checked up front so a missing one is a typed
 * error naming the flag instead of Deno's PermissionDenied from deep inside:
 * - `--allow-ffi`: libc (clone, pipes, the poll thread) and libseccomp, always;
 * - `--allow-run`: for the target itself, resolved through the child's PATH from its cwd
 *   as the child will (`--allow-run=/usr/bin/ls` is enough for `ls`), since
 *   kakoi starts it with FFI, which Deno would not otherwise check;
 * - `--allow-env`: only when a child's `env` is omitted, to pass the
 *   supervisor's environment on.
 */
import { Effect } from "effect"
import { archTable } from "../../core/arch/mod.ts"
import { constants, errno } from "../../core/arch/generic.ts"
import { cString, type Libc } from "../../core/libc.ts"
import { SpawnError } from "../../core/errors.ts"
import { pathCandidates } from "../../core/program/compile.ts"
import { commandText } from "../../core/spec.ts"
import { DenoPermissionError, type DenoPermission } from "./permission-error.ts"

export { DenoPermissionError, type DenoPermission }

const purposes: Readonly<Record<Exclude<DenoPermission, "run">, string>> = {
  ffi: "call libc and libseccomp",
  env: "pass the supervisor's environment to a child (or give the child an env)"
}

/**
 * Succeeds when every permission is granted, else fails with the first missing one.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { requirePermissions } from "./permissions.ts"
 *
 * await Effect.runPromise(requirePermissions(["ffi", "env"]))
 * ```
 */
export const requirePermissions = (permissions: ReadonlyArray<Exclude<DenoPermission, "run">>): Effect.Effect<void, DenoPermissionError> =>
  Effect.suspend(() => {
    const missing = permissions.find((permission) => Deno.permissions.querySync({ name: permission }).state !== "granted")
    return missing === undefined
      ? Effect.void
      : Effect.fail(new DenoPermissionError({ permission: missing, flag: `--allow-${missing}`, purpose: purposes[missing] }))
  })

const X_OK = 1

/** This process's cwd, through FFI (Deno.cwd() would need --allow-read): readlinkat of /proc/self/cwd. */
const ownCwd = (libc: Libc): string => {
  const buffer = new Uint8Array(4096)
  const length = Number(libc.call.syscall(archTable().syscalls.readlinkat, constants.AT_FDCWD, cString("/proc/self/cwd"), libc.address(buffer), buffer.byteLength))
  if (length <= 0 || length >= buffer.byteLength) throw new Error(`cannot read this process's working directory (/proc/self/cwd): ${length}`)
  return new TextDecoder().decode(buffer.subarray(0, length))
}

/**
 * The program the child will exec, checked and exec'd by the same name: the first PATH candidate that is
 * executable, else the command as given. A relative candidate (a relative command, an empty, "." or relative
 * PATH entry) is found from the child's `cwd`, where its execve would look for it, not from this process's,
 * and is named by its absolute path, so that no later chdir (a plugin's preExec step) makes the child's
 * execve find another file.
 */
const resolved = (libc: Libc, command: string, env: Readonly<Record<string, string | undefined>>, cwd: string | undefined): string => {
  // Only PATH matters to the search (a record has one at most): no need to turn the whole env into entries.
  const path = env.PATH
  const fromCwd = (candidate: string): string => (cwd === undefined || candidate.startsWith("/") ? candidate : `${cwd}/${candidate}`)
  const found = pathCandidates(command, path === undefined ? [] : [`PATH=${path}`]).find((candidate) => Number(libc.call.access(cString(fromCwd(candidate)), X_OK)) === 0)
  const absolute = (candidate: string): string => {
    const checked = fromCwd(candidate)
    return checked.startsWith("/") ? checked : `${ownCwd(libc)}/${checked}`
  }
  // A bare name found nowhere stays bare: requireRun reports it not found, unless --allow-run names it (the child's own search then fails).
  if (found === undefined) return command.includes("/") ? absolute(command) : command
  // Absolute, so that the child's execve takes it as a path, searches nothing and depends on no cwd.
  return absolute(found)
}

/**
 * Succeeds when Deno lets this program run the command `argv[0]` resolves
 * to in the PATH of `env()` (called only when the command must be resolved,
 * since reading the environment may need its own permission) from the child's `cwd`, as it would check for
 * Deno.Command, with the argv to start: argv[0] replaced by the path that
 * was checked (as Deno.Command execs it), so the child does not search PATH
 * again, where a file that appeared since the check would be found first.
 * With `--allow-run`
 * for every command (asked again each time: a revocation counts at once), the
 * command is not resolved at all.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { denoLibc } from "./native.ts"
 * import { requireRun } from "./permissions.ts"
 *
 * await Effect.runPromise(requireRun(denoLibc(), ["ls", "/"], () => ({ PATH: "/usr/bin:/bin" }))) // ["/usr/bin/ls", "/"] with --allow-run=/usr/bin/ls
 * ```
 */
export const requireRun = (
  libc: Libc,
  argv: ReadonlyArray<string>,
  env: () => Readonly<Record<string, string | undefined>>,
  cwd?: string
): Effect.Effect<ReadonlyArray<string>, DenoPermissionError | SpawnError> =>
  Effect.suspend((): Effect.Effect<ReadonlyArray<string>, DenoPermissionError | SpawnError> => {
    const command = argv[0] ?? ""
    // An empty command is the spec's error (InvalidSpec), reported by the lifecycle.
    if (command === "") return Effect.succeed(argv)
    if (Deno.permissions.querySync({ name: "run" }).state === "granted") return Effect.succeed(argv)
    const path = resolved(libc, command, env(), cwd)
    if (Deno.permissions.querySync({ name: "run", command: path }).state === "granted") return Effect.succeed([path, ...argv.slice(1)])
    // A bare name found nowhere on PATH: no --allow-run would start it, so the flag is no advice (Deno.Command says NotFound too).
    return path.includes("/")
      ? Effect.fail(new DenoPermissionError({ permission: "run", flag: `--allow-run=${path}`, purpose: `start "${path}"` }))
      : Effect.fail(new SpawnError({ reason: "CommandNotFound", command: commandText(argv), detail: path, errno: errno.ENOENT }))
  })
