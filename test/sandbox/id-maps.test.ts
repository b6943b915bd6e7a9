/**
 * writeIdMaps: the supervisor maps a waiting child's user namespace from
 * outside, with a range no child could write for itself; a second write is
 * refused by the kernel with a typed error.
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { readlinkSync } from "node:fs"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import { writeIdMaps } from "../../plugins/sandbox/id-maps.ts"
import { waitUntil } from "../helpers/processes.ts"

const kernel = kernelFromLibc(nodeLibc())
// Two lines (root stays root, 1..65535 go to a subordinate range): a child may write only one, for itself.
const range = [{ inside: 0, outside: 0, count: 1 }, { inside: 1, outside: 100000, count: 65535 }]

describe("writeIdMaps", () => {
  it("writes a two-line map from outside while the child waits, once", async () => {
    const child = spawn("unshare", ["--user", "--", "sh", "-c", "read go; cat /proc/self/uid_map; id -u; touch /proc/self/x 2>/dev/null; exit 0"], { stdio: ["pipe", "pipe", "inherit"] })
    const pid = child.pid ?? 0
    // Wait until unshare(1) has made the namespace: the child's user namespace is no longer ours.
    const ours = readlinkSync("/proc/self/ns/user")
    expect(await waitUntil(() => { try { return readlinkSync(`/proc/${pid}/ns/user`) !== ours } catch { return false } }, 2000)).toBe(true)
    const written = writeIdMaps(kernel, pid, { uid: range, gid: range, denySetgroups: false })
    const again = writeIdMaps(kernel, pid, { uid: range, gid: range, denySetgroups: false })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stdin.end("go\n")
    await once(child, "exit")
    expect(Result.isSuccess(written)).toBe(true)
    expect(Result.isFailure(again) && again.failure.message).toContain('cannot write "0 0 1\\n1 100000 65535" to "/proc/')
    expect(output.split("\n").map((line) => line.trim().split(/\s+/).join(" "))).toEqual(["0 0 1", "1 100000 65535", "0", ""])
  })
})
