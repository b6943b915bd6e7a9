/**
 * The runtime a benchmark runs under (Node, Deno or Bun), its version, and its
 * own way to start a process and wait for it: the baseline a kakoi spawn in
 * that runtime is measured against. Deno's and Bun's globals are declared
 * here as far as they are used, so this file type-checks with Node's types.
 */
import { spawn as spawnNode } from "node:child_process"

/** The few members of `Deno` used here. */
interface DenoGlobal {
  readonly version: { readonly deno: string }
  readonly execPath: () => string
  readonly Command: new (command: string, options: { args: Array<string>; stdin: "null"; stdout: "null"; stderr: "null" }) => {
    spawn: () => { readonly status: Promise<{ readonly code: number; readonly signal: string | null }> }
  }
}

/** The few members of `Bun` used here. */
interface BunGlobal {
  readonly version: string
  readonly spawn: (argv: Array<string>, options: { stdio: ["ignore", "ignore", "ignore"] }) => {
    readonly exited: Promise<number>
    readonly signalCode: string | null
  }
}

const { Deno, Bun } = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal }

export type RuntimeName = "node" | "deno" | "bun"

/** The runtime running this code. */
export const runtime: RuntimeName = Deno !== undefined ? "deno" : Bun !== undefined ? "bun" : "node"

/** "Node v24.21.0", "Deno 2.9.6", "Bun 1.4.5". */
export const runtimeVersion: string =
  Deno !== undefined ? `Deno ${Deno.version.deno}` : Bun !== undefined ? `Bun ${Bun.version}` : `Node ${process.version}`

/** The runtime's own binary. */
export const execPath: string = Deno?.execPath() ?? process.execPath

/** What the runtime's plain spawn is called, for a table row. */
export const plainSpawnName: string =
  Deno !== undefined ? "Deno.Command().spawn()" : Bun !== undefined ? "Bun.spawn" : "child_process.spawn"

const failed = (argv: ReadonlyArray<string>, how: string): Error => new Error(`${argv.join(" ")} ended with ${how}`)

/**
 * Start `argv` with the runtime's own spawn, stdio ignored, and resolve when it
 * has exited with code 0; reject on anything else.
 */
export const plainSpawn = async (argv: ReadonlyArray<string>): Promise<void> => {
  const [command = "", ...args] = argv
  if (Deno !== undefined) {
    const { code, signal } = await new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn().status
    if (code !== 0) throw failed(argv, signal ?? `exit code ${code}`)
    return
  }
  if (Bun !== undefined) {
    const child = Bun.spawn([...argv], { stdio: ["ignore", "ignore", "ignore"] })
    const code = await child.exited
    if (code !== 0) throw failed(argv, child.signalCode ?? `exit code ${code}`)
    return
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawnNode(command, args, { stdio: "ignore" })
    child.once("error", reject)
    child.once("exit", (code, signal) => (code === 0 ? resolve() : reject(failed(argv, signal ?? `exit code ${code}`))))
  })
}
