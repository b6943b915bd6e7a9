/**
 * The fence steps' raw syscall sequences (core/fence-calls.ts), run for real:
 * a throwaway Node process executes them on its main thread with the
 * reference executor, inside namespaces that unshare(1) made where a
 * multi-threaded process cannot make them itself (user, mount), then probes
 * the result and tries the attacks each fence exists to stop.
 */
import { execFileSync } from "node:child_process"
import { chownSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { FenceStep } from "../../core/fence-steps.ts"
import { mountFlags } from "../../core/host/x86_64.ts"

const fixture = fileURLToPath(new URL("../fixtures/fence-steps.ts", import.meta.url))

interface Output {
  readonly failure: { readonly kind: string; readonly syscall: string; readonly errno: string } | null
  readonly results: ReadonlyArray<string>
}

const exec = (prefix: ReadonlyArray<string>, steps: ReadonlyArray<FenceStep>, probes: ReadonlyArray<object>): Output => {
  const json = JSON.stringify({ steps, probes }, (_, value: unknown) => (typeof value === "bigint" ? { $bigint: String(value) } : value))
  const [command = "", ...args] = [...prefix, process.execPath, fixture, json]
  return JSON.parse(execFileSync(command, args, { encoding: "utf8", timeout: 20_000 })) as Output
}

const lastCap = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8"))
let root = ""

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "kakoi-fence-"))
  for (const dir of ["writable", "private-tmp", "secrets", "newroot", "data"]) mkdirSync(join(root, dir))
  writeFileSync(join(root, "secrets", "id_ed25519"), "key")
  writeFileSync(join(root, "token"), "secret")
  writeFileSync(join(root, "outside"), "outside")
  writeFileSync(join(root, "data", "hello"), "hello")
  symlinkSync(join(root, "outside"), join(root, "writable", "link"))
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("fence step sequences", () => {
  it("unshare + hostname + loopback-up give the child its own name and an up lo", () => {
    const steps: ReadonlyArray<FenceStep> = [{ kind: "unshare", namespaces: ["uts", "network"] }, { kind: "hostname", name: "sandbox-test" }, { kind: "loopback-up" }]
    const fresh = exec([], steps.slice(0, 1), [{ loopback: true }])
    const output = exec([], steps, [{ file: "/proc/sys/kernel/hostname" }, { loopback: true }])
    expect([fresh.results, output.results]).toEqual([["down"], ["sandbox-test", "up"]])
  })

  it("id-map written by an unprivileged child for itself maps it to root inside, once", () => {
    // unshare(1) makes the namespace (Node cannot: it is multi-threaded); --keep-caps keeps the
    // capabilities the child has there across the exec, as the launcher's child has them before its execve.
    const prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "unshare", "--user", "--keep-caps", "--"]
    const map: FenceStep = { kind: "id-map", writer: "self", uid: [{ inside: 0, outside: 65534, count: 1 }], gid: [{ inside: 0, outside: 65534, count: 1 }] }
    const output = exec(prefix, [map], [{ file: "/proc/self/uid_map" }, { status: "Uid" }, { file: "/proc/self/setgroups" }])
    expect(output.failure).toBeNull()
    expect(output.results[0]?.split(/\s+/)).toEqual(["0", "65534", "1"])
    expect(output.results.slice(1)).toEqual(["0", "deny"])
    // A second map (say, to widen it to root outside) is refused by the kernel.
    expect(exec(prefix, [map, map], []).failure).toMatchObject({ kind: "id-map", errno: "EPERM" })
  })

  it("mounts: read-only host, one writable bind, a private tmpfs, hidden paths", () => {
    const writable = join(root, "writable")
    const steps: ReadonlyArray<FenceStep> = [
      { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: BigInt(mountFlags.MS_REC | mountFlags.MS_PRIVATE), data: undefined },
      { kind: "mount", source: writable, target: writable, fstype: undefined, flags: BigInt(mountFlags.MS_BIND | mountFlags.MS_REC), data: undefined },
      { kind: "mount-attributes", path: "/", recursive: true, set: BigInt(mountFlags.MOUNT_ATTR_RDONLY), clear: 0n },
      { kind: "mount-attributes", path: writable, recursive: true, set: 0n, clear: BigInt(mountFlags.MOUNT_ATTR_RDONLY) },
      { kind: "mount", source: "tmpfs", target: join(root, "private-tmp"), fstype: "tmpfs", flags: BigInt(mountFlags.MS_NOSUID | mountFlags.MS_NODEV), data: "mode=1777" },
      { kind: "mount", source: "tmpfs", target: join(root, "secrets"), fstype: "tmpfs", flags: BigInt(mountFlags.MS_RDONLY | mountFlags.MS_NOSUID | mountFlags.MS_NODEV | mountFlags.MS_NOEXEC), data: "size=0" },
      { kind: "mount", source: "/dev/null", target: join(root, "token"), fstype: undefined, flags: BigInt(mountFlags.MS_BIND), data: undefined }
    ]
    const output = exec(["unshare", "--mount", "--"], steps, [
      { write: join(writable, "result") },
      { write: join(root, "private-tmp", "scratch") },
      { write: join(root, "outside-new") },
      { write: join(writable, "..", "dotdot") },
      { write: join(writable, "link") },
      { list: join(root, "secrets") },
      { read: join(root, "token") },
      { write: join(root, "secrets", "planted") }
    ])
    expect(output).toEqual({ failure: null, results: ["ok", "ok", "EROFS", "EROFS", "EROFS", "", "", "EROFS"] })
    // The host saw none of it, except the write to the writable bind.
    expect([readFileSync(join(writable, "result"), "utf8"), readFileSync(join(root, "token"), "utf8")]).toEqual(["x", "secret"])
  })

  it("a hard link out of the writable bind fails: it would cross mounts", () => {
    const writable = join(root, "writable")
    const steps: ReadonlyArray<FenceStep> = [
      { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: BigInt(mountFlags.MS_REC | mountFlags.MS_PRIVATE), data: undefined },
      { kind: "mount", source: writable, target: writable, fstype: undefined, flags: BigInt(mountFlags.MS_BIND | mountFlags.MS_REC), data: undefined }
    ]
    const output = exec(["unshare", "--mount", "--"], steps, [{ link: [join(root, "outside"), join(writable, "hardlink")] }])
    expect(output.results).toEqual(["EXDEV"])
    expect(() => linkSync(join(root, "outside"), join(root, "outside-link"))).not.toThrow()
  })

  it("pivot-root makes a tmpfs with one bind the whole filesystem", () => {
    const newRoot = join(root, "newroot")
    const steps: ReadonlyArray<FenceStep> = [
      { kind: "mount", source: undefined, target: "/", fstype: undefined, flags: BigInt(mountFlags.MS_REC | mountFlags.MS_PRIVATE), data: undefined },
      { kind: "mount", source: "tmpfs", target: newRoot, fstype: "tmpfs", flags: 0n, data: "mode=0755" },
      { kind: "mount-point", path: join(newRoot, "data"), type: "directory" },
      { kind: "mount-point", path: join(newRoot, "null"), type: "file" },
      { kind: "mount", source: join(root, "data"), target: join(newRoot, "data"), fstype: undefined, flags: BigInt(mountFlags.MS_BIND), data: undefined },
      { kind: "symlink", target: "data/hello", path: join(newRoot, "hello") },
      { kind: "pivot-root", newRoot }
    ]
    const output = exec(["unshare", "--mount", "--"], steps, [{ list: "/" }, { read: "/hello" }, { read: "/etc/passwd" }])
    expect(output).toEqual({ failure: null, results: ["data,hello,null", "hello", "ENOENT"] })
  })

  it("identity: a root child drops to nobody with no capabilities and cannot get root back", () => {
    const steps: ReadonlyArray<FenceStep> = [
      { kind: "drop-bounding", keep: [], lastCap },
      { kind: "groups", groups: [] },
      { kind: "ids", uid: 65534, gid: 65534 },
      { kind: "clear-capabilities", keep: [] }
    ]
    const output = exec([], steps, [{ status: "Uid" }, { status: "Groups" }, { status: "CapBnd" }, { status: "CapEff" }, { status: "CapPrm" }, { read: "/etc/shadow" }, { setuid: 0 }])
    expect(output).toEqual({ failure: null, results: ["65534", "", "0000000000000000", "0000000000000000", "0000000000000000", "EACCES", "EPERM"] })
  })

  it("clear-capabilities alone leaves a uid-0 child without capabilities", () => {
    // Root without CAP_DAC_OVERRIDE reads only what its mode bits allow: not another user's 0600 file.
    const theirs = join(root, "theirs")
    writeFileSync(theirs, "theirs", { mode: 0o600 })
    chownSync(theirs, 65534, 65534)
    const output = exec([], [{ kind: "clear-capabilities", keep: [] }], [{ status: "Uid" }, { status: "CapEff" }, { read: theirs }])
    expect(output.results).toEqual(["0", "0000000000000000", "EACCES"])
  })
})
