/** The supervisor's typed error: a tree that cannot run, or a supervisor that gave up. */
import { Data, type Cause } from "effect"
import { describeExit, type ChildExit } from "./events.ts"

export type SupervisorErrorReason = "InvalidSpec" | "GaveUp"

interface SupervisorErrorFields {
  readonly reason: SupervisorErrorReason
  /** The supervisor's path from the root. */
  readonly supervisor: string
  /** The child whose restarts exceeded the intensity; "" for a spec error. */
  readonly child: string
  /** What went wrong: the spec mistake, or "more than 3 restarts within 5000 ms". */
  readonly detail: string
  /** The child's last exits, oldest first. */
  readonly lastExits: ReadonlyArray<ChildExit>
  /** For "InvalidSpec": where in the tree, as a JSON path (`children[0].stop.signal`). */
  readonly path?: string | undefined
  /** For "InvalidSpec": the file the tree was read from. */
  readonly file?: string | undefined
}

// A named base keeps the class declaration free of call expressions (isolatedDeclarations).
const SupervisorErrorBase: new (args: SupervisorErrorFields) => Cause.YieldableError & { readonly _tag: "SupervisorError" } & Readonly<SupervisorErrorFields> =
  Data.TaggedError("SupervisorError")

/**
 * A supervision tree failed: its spec is invalid, or a child kept failing
 * faster than the restart intensity allows and the supervisor gave up.
 *
 * @example
 * ```ts
 * import { SupervisorError } from "./errors.ts"
 *
 * new SupervisorError({ reason: "GaveUp", supervisor: "app", child: "app/web", detail: "more than 3 restarts within 5000 ms", lastExits: [] }).message
 * // 'Supervisor "app" gave up on "app/web" (more than 3 restarts within 5000 ms)'
 * ```
 */
export class SupervisorError extends SupervisorErrorBase {
  override get message(): string {
    if (this.reason === "InvalidSpec") {
      const file = this.file === undefined ? "" : ` in ${JSON.stringify(this.file)}`
      const path = this.path === undefined ? "" : ` at ${this.path}`
      return `Invalid supervision tree "${this.supervisor}"${file}${path}: ${this.detail}`
    }
    const exits = this.lastExits.map(describeExit)
    return `Supervisor "${this.supervisor}" gave up on "${this.child}" (${this.detail})${exits.length === 0 ? "" : `: last exits ${exits.join("; ")}`}`
  }
}
