/**
 * mounts(): the options decoded strictly, and the planned steps run for real
 * by the reference executor in a mount namespace that unshare(1) made (the
 * unshare step itself is left to it: Node is multi-threaded), then attacked.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { composeFenceSteps } from "../../core/fence-compose.ts"
import type { FenceStep } from "../../core/fence-steps.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import { decodeMounts, type MountsOptions } from "../../plugins/sandbox/mounts/options.ts"
import { planMounts } from "../../plugins/sandbox/mounts/plan.ts"
import { systemFenceHost } from "../../plugins/sandbox/plugin.ts"

const fixture = fileURLToPath(new URL("../fixtures/fence-steps.ts", import.meta.url))
const host = systemFenceHost(kernelFromLibc(nodeLibc()))
let root = ""

const attack = (options: MountsOptions, probes: ReadonlyArray<object>): ReadonlyArray<string> => {
  const plan = Result.getOrThrow(planMounts(Result.getOrThrow(decodeMounts(options, "/home/nobody")), host))
  try {
    const steps = composeFenceSteps(plan.steps, host)
    if (typeof steps === "string") throw new Error(steps)
    const json = JSON.stringify({ steps: steps.filter((step: FenceStep) => step.kind !== "unshare"), probes }, (_, value: unknown) => (typeof value === "bigint" ? { $bigint: String(value) } : value))
    const output = JSON.parse(execFileSync("unshare", ["--mount", "--", process.execPath, fixture, json], { encoding: "utf8", timeout: 20_000 })) as { readonly failure: unknown; readonly results: ReadonlyArray<string> }
    expect(output.failure).toBeNull()
    return output.results
  } finally {
    plan.release()
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "kakoi-mounts-"))
  for (const dir of ["job", "scratch", "home/.ssh", "tools"]) mkdirSync(join(root, dir), { recursive: true })
  writeFileSync(join(root, "home", ".ssh", "id_ed25519"), "private key")
  writeFileSync(join(root, "home", "notes"), "notes")
  writeFileSync(join(root, "tools", "tool"), "tool")
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("mounts() on a read-only host", () => {
  it("keeps only the writable path writable, hides ~/.ssh, gives a private tmpfs and a minimal /dev", () => {
    const results = attack(
      { writable: [join(root, "job")], tmpfs: [join(root, "scratch")], hide: [join(root, "home", ".ssh"), join(root, "home", "notes"), join(root, "nope")], dev: "minimal" },
      [
        { write: join(root, "job", "out") }, { write: join(root, "scratch", "x") }, { write: join(root, "escape") }, { write: "/etc/kakoi-test" },
        { list: join(root, "home", ".ssh") }, { read: join(root, "home", "notes") }, { list: "/dev" }, { write: "/dev/null" }, { write: "/dev/shm/x" }
      ]
    )
    expect(results).toEqual(["ok", "ok", "EROFS", "EROFS", "", "", "fd,full,null,random,shm,stderr,stdin,stdout,tty,urandom,zero", "ok", "ok"])
  })
})

describe("mounts() with a private /tmp around a writable job directory", () => {
  it("carries the writable path into the tmpfs that covers its parent", () => {
    const results = attack({ writable: [join(root, "job")], tmpfs: [root] }, [{ list: root }, { write: join(root, "job", "kept") }, { write: join(root, "other") }])
    expect(results).toEqual(["job", "ok", "ok"])
  })
})

describe("mounts() with an empty root", () => {
  it("shows only the paths bound, read-only unless writable", () => {
    const results = attack(
      { root: "empty", readOnly: ["/usr", "/lib", join(root, "tools")], writable: [join(root, "job")], tmpfs: ["/tmp"], dev: "minimal", proc: false },
      [{ list: "/" }, { read: join(root, "tools", "tool") }, { write: join(root, "tools", "x") }, { write: join(root, "job", "y") }, { read: "/etc/passwd" }, { write: "/tmp/z" }, { write: "/new" }]
    )
    expect(results).toEqual(["dev,lib,tmp,usr", "tool", "EROFS", "ok", "ENOENT", "ok", "EROFS"])
  })
})

describe("decodeMounts", () => {
  it.each([
    [{ writeable: ["/tmp"] }, 'Invalid mounts option at writeable: Unknown option "writeable": did you mean "writable"?'],
    [{ writable: ["tmp/job"] }, 'Invalid mounts option at writable[0]: expected an absolute path, got "tmp/job"; start it with "/" or "~/"'],
    [{ writable: ["/tmp/job"], hide: ["/tmp/job/"] }, 'Invalid mounts option at hide[0]: "/tmp/job" is already writable[0]; give each path one meaning'],
    [{ readOnly: ["/usr"] }, 'Invalid mounts option at readOnly: with root "read-only-host" every path is read-only already; leave readOnly out, or use root: "empty" to show only the paths listed'],
    [{ root: "empty", readOnly: ["/usr"] }, 'Invalid mounts option at dev: an "empty" root has no host /dev to keep; use dev: "minimal"'],
    [{ dev: "minimum" }, 'Invalid mounts option at dev: Unknown value "minimum": did you mean "minimal"?']
  ])("rejects %j", (options, message) => {
    const result = decodeMounts(options, undefined)
    expect(Result.isFailure(result) && result.failure.message).toBe(message)
  })

  it("expands ~ and normalises paths", () => {
    expect(Result.getOrThrow(decodeMounts({ hide: ["~/.ssh", "/a/./b/../c//"] }, "/home/ada")).hide).toEqual(["/home/ada/.ssh", "/a/c"])
  })
})
