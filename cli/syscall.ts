/** `kakoi syscall NAME|NUMBER [--arch ARCH]`: resolve syscall names and numbers. */
import { Effect } from "effect"
import { syscallName, syscallNumber, type SyscallError } from "../plugins/seccomp/mod.ts"
import type { SeccompLibrary } from "../plugins/seccomp/library.ts"
import { syscallHelp, parseOptions, UsageError, type CliIo } from "./usage.ts"

/**
 * Prints the number of a syscall name or the name of a number (for `--arch`,
 * default the native one); exit status 0, or a SyscallError for an unknown one.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layer } from "kakoi/node"
 * import { syscallCommand } from "./syscall.ts"
 *
 * const io = { out: console.log, err: console.error, bytes: (data: Uint8Array) => void process.stdout.write(data) }
 * await Effect.runPromise(Effect.provide(syscallCommand(["mkdir"], io), layer)) // prints "83"
 * ```
 */
export const syscallCommand = (args: ReadonlyArray<string>, io: CliIo): Effect.Effect<number, SyscallError | UsageError, SeccompLibrary> =>
  Effect.gen(function* () {
    const { values, positionals } = parseOptions("syscall", {
      args: [...args],
      allowPositionals: true,
      options: { help: { type: "boolean", short: "h" }, arch: { type: "string" } }
    })
    if (values.help) {
      io.out(syscallHelp)
      return 0
    }
    const [query, ...extra] = positionals
    if (query === undefined || extra.length > 0) {
      return yield* Effect.fail(new UsageError("syscall", "Give exactly one syscall name or number, e.g. kakoi syscall mkdir"))
    }
    io.out(
      /^\d+$/.test(query)
        ? yield* syscallName(Number(query), values.arch)
        : String(yield* syscallNumber(query, values.arch))
    )
    return 0
  })
