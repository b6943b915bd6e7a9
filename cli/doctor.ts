/**
 * `kakoi doctor`: what this machine offers the fences (kernel, Landlock ABI,
 * namespaces and why not, cgroup v2 delegation, ptrace rights for notify,
 * seccomp user notification, io_uring) and which containment level `run`
 * would use. `--json` prints the same as data.
 */
import { doctor } from "../plugins/sandbox/host/doctor.ts"
import { formatCapabilities } from "../plugins/sandbox/host/report.ts"
import { type CliIo, parseOptions } from "./usage.ts"

/**
 * Runs `kakoi doctor [--json]`; exits 0 (the report is the answer, whatever it says).
 *
 * @example
 * ```ts
 * import { doctorCommand } from "./doctor.ts"
 *
 * const lines: Array<string> = []
 * const io = { out: (line: string) => void lines.push(line), err: console.error, bytes: () => {} }
 * await doctorCommand(["--json"], io) // 0
 * typeof JSON.parse(lines.join("\n")) // "object": the host's capabilities as data
 * ```
 */
export const doctorCommand = async (args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const { values } = parseOptions("doctor", { args: [...args], options: { json: { type: "boolean" } }, strict: true, allowPositionals: false })
  const host = await doctor()
  if (values.json === true) io.out(JSON.stringify(host, undefined, 2))
  else for (const line of formatCapabilities(host)) io.out(line)
  return 0
}
