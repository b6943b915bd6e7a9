/**
 * Deno permissions kakoi needs, checked up front so a missing one is a typed
 * error naming the flag instead of Deno's PermissionDenied from deep inside:
 * - `--allow-ffi`: libc (the control channel) and libseccomp, always;
 * - `--allow-run`: to start the launcher, which is `Deno.execPath()` itself
 *   (`--allow-run=<path to deno>` is enough);
 * - `--allow-env`: only when a child's `env` is omitted, to pass the
 *   supervisor's environment on.
 */
import { Effect } from "effect"
import { DenoPermissionError, type DenoPermission } from "./permission-error.ts"

export { DenoPermissionError, type DenoPermission }

const purposes: Readonly<Record<DenoPermission, string>> = {
  ffi: "call libc and libseccomp",
  run: "start the launcher (Deno.execPath())",
  env: "pass the supervisor's environment to a child (or give the child an env)"
}

const descriptor = (permission: DenoPermission): Deno.PermissionDescriptor =>
  permission === "run" ? { name: "run", command: Deno.execPath() } : { name: permission }

/**
 * Succeeds when every permission is granted, else fails with the first missing one.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { requirePermissions } from "./permissions.ts"
 *
 * await Effect.runPromise(requirePermissions(["ffi", "run"]))
 * ```
 */
export const requirePermissions = (permissions: ReadonlyArray<DenoPermission>): Effect.Effect<void, DenoPermissionError> =>
  Effect.suspend(() => {
    const missing = permissions.find((permission) => Deno.permissions.querySync(descriptor(permission)).state !== "granted")
    return missing === undefined
      ? Effect.void
      : Effect.fail(new DenoPermissionError({ permission: missing, flag: `--allow-${missing}`, purpose: purposes[missing] }))
  })
