/**
 * mounts(): the options decoded strictly, and the planned steps compiled into
 * the child program and run for real by the C harness (test/helpers/fence-run.ts),
 * as root and as nobody inside its own user namespace, then attacked: writes
 * outside the writable path, through a symlink, through "..", a hard link out
 * of it, reads of a hidden ~/.ssh.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import { decodeMounts, type MountsOptions } from "../../plugins/sandbox/mounts/options.ts"
import { planMounts } from "../../plugins/sandbox/mounts/plan.ts"
import { type FenceHost, systemFenceHost } from "../../plugins/sandbox/plugin.ts"
import { asNobody, probeDirectory, runFenced, removeProbe } from "../helpers/fence-run.ts"

const root = systemFenceHost(kernelFromLibc(nodeLibc()))
/** The same host as an unprivileged supervisor sees it: its plans ask for a user namespace. */
const nobody: FenceHost = { ...root, euid: 65534, egid: 65534 }
let base = ""

const attack = (options: MountsOptions, probes: ReadonlyArray<string>, as: "root" | "nobody" = "root"): ReadonlyArray<string> => {
  const plan = Result.getOrThrow(planMounts(Result.getOrThrow(decodeMounts(options, "/home/nobody")), as === "root" ? root : nobody))
  try {
    const { lines, run } = runFenced(plan.steps, probes, as === "root" ? undefined : asNobody)
    expect(run.decoded.failure).toBeUndefined()
    return lines
  } finally {
    plan.release()
  }
}

beforeAll(() => {
  // Not under /tmp, which some tests cover with a tmpfs of their own.
  base = mkdtempSync("/var/tmp/kakoi-mounts-")
  chmodSync(base, 0o755)
  for (const dir of ["job", "scratch", "home/.ssh", "tools"]) mkdirSync(join(base, dir), { recursive: true, mode: 0o777 })
  chmodSync(join(base, "job"), 0o777)
  writeFileSync(join(base, "home", ".ssh", "id_ed25519"), "private key")
  writeFileSync(join(base, "home", "notes"), "notes")
  writeFileSync(join(base, "tools", "tool"), "tool")
  writeFileSync(join(base, "outside"), "outside", { mode: 0o666 })
  // A symlink planted in the writable path before the child starts, pointing out of it.
  symlinkSync(join(base, "outside"), join(base, "job", "planted"))
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

describe.each(["root", "nobody"] as const)("mounts() on a read-only host, supervisor %s", (as) => {
  it("keeps only the writable path writable, hides ~/.ssh, gives a private tmpfs and a minimal /dev", () => {
    const job = join(base, "job")
    const results = attack(
      { writable: [job], tmpfs: [join(base, "scratch")], hide: [join(base, "home", ".ssh"), join(base, "home", "notes"), join(base, "nope")], dev: "minimal" },
      [
        `write:${job}/out-${as}`, `write:${base}/scratch/x`, `write:${base}/escape`, "write:/etc/kakoi-test",
        `list:${base}/home/.ssh`, `read:${base}/home/.ssh/id_ed25519`, `read:${base}/home/notes`, "list:/dev", "write:/dev/null", "write:/dev/shm/x",
        // The attacks on the writable path: a planted symlink, "..", a symlink made inside, a hard link out of it.
        `write:${job}/planted`, `write:${job}/../escape`, `symlink:${base}/outside:${job}/made-${as}`, `write:${job}/made-${as}`, `link:${base}/outside:${job}/hard-${as}`
      ],
      as
    )
    expect(results).toEqual([
      "ok", "ok", "EROFS", "EROFS", "", "ENOENT", "ok", "fd,full,null,random,shm,stderr,stdin,stdout,tty,urandom,zero", "ok", "ok",
      "EROFS", "EROFS", "ok", "EROFS", "EXDEV"
    ])
  })

  it("carries the writable path into the tmpfs that covers its parent", () => {
    const results = attack({ writable: [join(base, "job")], tmpfs: [base] }, [`list:${base}`, `write:${base}/job/kept-${as}`, `write:${base}/other`], as)
    expect(results).toEqual(["job", "ok", "ok"])
  })
})

describe.each(["root", "nobody"] as const)("mounts() with an empty root, supervisor %s", (as) => {
  it("shows only the paths bound, read-only unless writable", () => {
    const probe = probeDirectory()
    const results = attack(
      { root: "empty", readOnly: ["/usr", "/lib", join(base, "tools"), probe], writable: [join(base, "job")], tmpfs: ["/tmp"], dev: "minimal", proc: false },
      ["list:/", `read:${base}/tools/tool`, `write:${base}/tools/x`, `write:${base}/job/y-${as}`, "read:/etc/passwd", "read:/etc/shadow", "write:/tmp/z", "write:/new"],
      as
    )
    expect(results).toEqual(["dev,lib,tmp,usr,var", "ok", "EROFS", "ok", "ENOENT", "ENOENT", "ok", "EROFS"])
  })
})

describe("planMounts", () => {
  it("refuses a writable path that leads elsewhere through a symlink, which its owner could point at /etc", () => {
    const link = join(base, "job-link")
    symlinkSync(join(base, "job"), link)
    const result = planMounts(Result.getOrThrow(decodeMounts({ writable: [link] }, undefined)), root)
    expect(Result.isFailure(result) && result.failure.message).toBe(
      `Invalid mounts option at writable[0]: "${link}" leads to "${join(base, "job")}" through a symlink; give the real path of the directory to make writable`
    )
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

afterAll(removeProbe)
