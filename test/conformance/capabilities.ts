/**
 * Capabilities through run(), for any adapter, with this test process (root)
 * as the supervisor: a sandboxed or dropped child holds none in any set, cannot
 * setuid(0), and regains none from a setuid-root binary or file capabilities
 * (built here with gcc, chown root, chmod u+s / setcap); a kept capability is
 * there and only it (as nobody, through the ambient set); the exit diagnosis
 * names a call that failed for lack of one when the watch is asked for; an
 * unknown name is a typed error before anything starts; and a supervisor that
 * lacks a capability a step needs (setpriv --bounding-set) gets a FenceError
 * naming it.
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { identity, sandbox } from "../../plugins/sandbox/mod.ts"
import { buildC } from "../helpers/build-c.ts"

export interface CapabilitiesApi {
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>
  /** The argv that runs test/fixtures/capability-refused.ts in this runtime with `which`. */
  readonly fixture: (which: "user" | "sandbox" | "status" | "kept" | "mapped") => ReadonlyArray<string>
}

/** test/fixtures/capability-refused.ts. */
export const capabilityFixture: string = fileURLToPath(new URL("../fixtures/capability-refused.ts", import.meta.url))

const text = (output: unknown): string => (typeof output === "string" ? output : new TextDecoder().decode(output as Uint8Array))
const python = (code: string): ReadonlyArray<string> => ["/usr/bin/python3", "-c", `import ctypes, os, socket, sys\nlibc = ctypes.CDLL(None, use_errno=True)\n${code}`]
const status = ["sh", "-c", "grep -E '^(Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status | cut -f2"]
const none = "0000000000000000"
const setuidOf = (code: string): string => `r = libc.${code}; print(r, ctypes.get_errno() if r else 0)`

/** Registers the suite for one runtime. */
export const capabilitiesSuite = (runtime: string, api: CapabilitiesApi): void => {
  const lines = async (argv: ReadonlyArray<string>, plugins: NonNullable<RunOptions<any, any>["plugins"]>): Promise<ReadonlyArray<string>> => {
    const result = await api.run(argv, { plugins })
    expect(text(result.stderr)).toBe("")
    return text(result.stdout).split("\n").slice(0, -1)
  }

  describe(`capabilities on ${runtime}: a root supervisor's child gets none unless asked`, () => {
    // Not under /tmp, which sandbox() makes private.
    let directory = ""
    beforeAll(() => {
      directory = mkdtempSync("/var/tmp/kakoi-caps-")
      chmodSync(directory, 0o755)
      const built = buildC(fileURLToPath(new URL("../helpers/setuid-probe.c", import.meta.url)))
      for (const name of ["setuid-probe", "filecap-probe"]) {
        copyFileSync(built, join(directory, name))
        chownSync(join(directory, name), 0, 0)
      }
      chmodSync(join(directory, "setuid-probe"), 0o4755)
      chmodSync(join(directory, "filecap-probe"), 0o755)
      // A cache Deno may write when a supervisor runs as nobody.
      mkdirSync(join(directory, "deno"))
      chownSync(join(directory, "deno"), 65534, 65534)
    })
    afterAll(() => rmSync(directory, { recursive: true, force: true }))

    it.each([
      ["sandbox()", () => [sandbox()], "65534"],
      ['identity({ user: "nobody" })', () => [identity({ user: "nobody" })], "65534"],
      ['sandbox({ user: "keep" }): uid 0', () => [sandbox({ user: "keep" })], "0"],
      ["identity({}): uid 0", () => [identity({})], "0"]
    ] as const)("%s: no capability in the inheritable, permitted, effective, bounding or ambient set; no_new_privs", async (_, plugins, uid) => {
      expect(await lines(status, plugins())).toEqual([uid, none, none, none, none, none, "1"])
    })

    it("cannot setuid(0) after the drop to nobody; a uid-0 child without capabilities cannot setuid(1)", async () => {
      expect(await lines(python(`${setuidOf("setuid(0)")}\nprint(os.getuid())`), [sandbox()])).toEqual(["-1 1", "65534"])
      expect(await lines(python(`${setuidOf("setuid(1)")}\nprint(os.getuid())`), [sandbox({ user: "keep" })])).toEqual(["-1 1", "0"])
    })

    it("regains nothing from a setuid-root binary or file capabilities, which work outside the sandbox", async () => {
      const setuid = join(directory, "setuid-probe")
      const filecap = join(directory, "filecap-probe")
      const effective = join(directory, "filecap-effective")
      copyFileSync(filecap, effective)
      for (const [file, caps] of [[filecap, "cap_setuid,cap_sys_admin+p"], [effective, "cap_setuid,cap_sys_admin+ep"]] as const) {
        const setcap = await api.run(["setcap", caps, file])
        expect(setcap.exitCode, text(setcap.stderr)).toBe(0)
      }
      // The control: as plain nobody the binaries give root's uid and the file's capabilities.
      const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
      const own = readFileSync("/proc/self/status", "utf8").match(/^CapEff:\s*(\w+)$/m)?.[1]
      expect(await lines([...asNobody, setuid], [])).toEqual(["65534 0", own, own, "0"])
      expect(await lines([...asNobody, filecap], [])).toEqual(["65534 65534", none, "0000000000200080", "EPERM"])
      expect(await lines([...asNobody, effective], [])).toEqual(["65534 65534", "0000000000200080", "0000000000200080", "0"])
      for (const plugins of [[sandbox()], [identity({ user: "nobody" })]]) {
        expect(await lines([setuid], plugins)).toEqual(["65534 65534", none, none, "EPERM"])
        expect(await lines([filecap], plugins)).toEqual(["65534 65534", none, none, "EPERM"])
        // A file whose capabilities are effective refuses to start without them (the kernel's EPERM at execve).
        await expect(api.run([effective], { plugins })).rejects.toMatchObject({ _tag: "SpawnError", errno: 1 })
      }
      // uid 0 without capabilities: executing a setuid-root binary changes nothing either.
      expect(await lines([setuid], [identity({})])).toEqual(["0 0", none, none, "0"])
    })

    it("keeps what is asked and only it: CAP_NET_BIND_SERVICE for nobody through the ambient set, and the port below 1024 it opens", async () => {
      const bind = "try:\n  s = socket.socket(); s.bind(('0.0.0.0', 80)); print('bound')\nexcept OSError as e: print(e.errno)"
      const kept = "0000000000000400"
      expect(await lines(status, [sandbox({ capabilities: ["CAP_NET_BIND_SERVICE"] })])).toEqual(["65534", kept, kept, kept, kept, kept, "1"])
      expect(await lines(python(bind), [sandbox({ capabilities: ["CAP_NET_BIND_SERVICE"] })])).toEqual(["bound"])
      expect(await lines(python(bind), [sandbox()])).toEqual(["13"])
      // A uid-0 child keeps it through its bounding set alone.
      expect(await lines(status, [identity({ capabilities: ["net_raw"] })])).toEqual(["0", none, "0000000000002000", "0000000000002000", "0000000000002000", none, "1"])
    })

    it("names the capability of a call that failed for lack of it, when the watch is asked for", async () => {
      const code = `${setuidOf("setuid(0)")}\n${setuidOf("chroot(b'/')")}\nsys.exit(1)`
      const watched = await api.run(python(code), { plugins: [sandbox({ diagnoseCapabilities: true })] })
      expect([watched.exitCode, text(watched.stdout)]).toEqual([1, "-1 1\n-1 1\n"])
      expect(watched.diagnosis).toEqual({
        cause: "capability", syscall: "setuid", capability: "CAP_SETUID",
        calls: [{ syscall: "setuid", capability: "CAP_SETUID", pid: expect.any(Number) }, { syscall: "chroot", capability: "CAP_SYS_CHROOT", pid: expect.any(Number) }],
        message: 'A call failed for lack of a capability: "setuid" needs CAP_SETUID, which the child does not hold; also "chroot" (CAP_SYS_CHROOT)'
      })
      // Unwatched, the same exit has no diagnosis; nor has a clean exit, nor a change to the child's own uid.
      expect((await api.run(python(code), { plugins: [sandbox()] })).diagnosis).toBeUndefined()
      expect((await api.run(python(setuidOf("setuid(0)")), { plugins: [sandbox({ diagnoseCapabilities: true })] })).diagnosis).toBeUndefined()
      const own = await api.run(python(`${setuidOf("setuid(65534)")}\n${setuidOf("setresuid(-1, 65534, -1)")}\nsys.exit(2)`), { plugins: [identity({ user: "nobody", diagnoseCapabilities: true })] })
      expect([own.exitCode, text(own.stdout), own.diagnosis]).toEqual([2, "0 0\n0 0\n", undefined])
    })

    it("gives each of 10 watched children started at once its own diagnosis", async () => {
      const fence = sandbox({ diagnoseCapabilities: true })
      const results = await Promise.all(Array.from({ length: 10 }, (_, index) =>
        api.run(python(index % 2 === 0 ? "import time; time.sleep(0.05); os.setuid(0)" : "import time; time.sleep(0.1); sys.exit(1)"), { plugins: [fence] })))
      expect(results.map((result) => [result.exitCode, result.diagnosis?.cause])).toEqual(Array.from({ length: 10 }, (_, index) => [1, index % 2 === 0 ? "capability" : undefined]))
    })

    it("does not blame a missing capability for a call in a user namespace the child made, nor one it kept", async () => {
      const nested = await api.run(python(`print(libc.unshare(0x10000000))\n${setuidOf("setuid(0)")}\nsys.exit(1)`), { plugins: [sandbox({ diagnoseCapabilities: true })] })
      // No uid is mapped in the new namespace: the kernel says EINVAL, and the watch is silent.
      expect([nested.exitCode, text(nested.stdout), nested.diagnosis]).toEqual([1, "0\n-1 22\n", undefined])
      const kept = await api.run(python(`${setuidOf("setuid(1)")}\n${setuidOf("chroot(b'/')")}\nsys.exit(1)`), { plugins: [identity({ capabilities: ["CAP_SETUID"], diagnoseCapabilities: true })] })
      expect(text(kept.stdout)).toBe("0 0\n-1 1\n")
      expect(kept.diagnosis).toMatchObject({ cause: "capability", syscall: "chroot", capability: "CAP_SYS_CHROOT", calls: [{ syscall: "chroot" }] })
    })

    it("refuses an unknown capability name with a suggestion, and starts nothing", async () => {
      const marker = join(directory, "started")
      const started = ["sh", "-c", `touch ${marker}`]
      const failure = (plugins: NonNullable<RunOptions<any, any>["plugins"]>) =>
        api.run(started, { plugins }).then(() => undefined, (error: { readonly _tag: string; readonly reason: string; readonly message: string }) => [error._tag, error.reason, error.message])
      expect(await failure([identity({ capabilities: ["CAP_NET_BIND"] as never })])).toEqual([
        "FenceError", "InvalidOption", 'Invalid identity option at capabilities[0]: Unknown capability "CAP_NET_BIND": did you mean "CAP_NET_BIND_SERVICE"?'
      ])
      expect(await failure([sandbox({ capabilities: ["sys_admn"] as never })])).toEqual([
        "FenceError", "InvalidOption", 'Invalid sandbox option at capabilities[0]: Unknown capability "sys_admn": did you mean "sys_admin"?'
      ])
      expect(existsSync(marker)).toBe(false)
    })

    it("a supervisor run as nobody: its sandboxed child has an empty bounding set too (in its own user namespace), and keeps CAP_NET_BIND_SERVICE there if asked", async () => {
      const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
      const child = async (which: "status" | "kept" | "mapped") => {
        const supervisor = await api.run([...asNobody, ...api.fixture(which)], { env: { PATH: "/usr/bin:/bin", HOME: "/var/tmp", DENO_DIR: join(directory, "deno") } })
        return JSON.parse(text(supervisor.stdout)) as { readonly ran: boolean; readonly stdout: string }
      }
      expect(await child("status")).toEqual({ ran: true, stdout: `${Array(5).fill(none).join(" ")}\n13\n` })
      const kept = "0000000000000400"
      expect(await child("kept")).toEqual({ ran: true, stdout: `${Array(5).fill(kept).join(" ")}\nbound\n` })
      // identity's map is the user namespace's, not the self map the default containment asks for beside it.
      expect(await child("mapped")).toEqual({ ran: true, stdout: "0\n0\n" })
    })

    it("names the capability a root supervisor lacks: CAP_SETUID for another user, CAP_SYS_ADMIN for sandbox()'s namespaces", async () => {
      const refused = async (drop: string, which: "user" | "sandbox") => JSON.parse(text((await api.run(["setpriv", "--bounding-set", drop, "--", ...api.fixture(which)])).stdout))
      expect(await refused("-setuid", "user")).toEqual({
        _tag: "FenceError", reason: "Unsupported", fence: "identity", path: "CAP_SETUID",
        message: "The identity fence cannot be enforced on this host (CAP_SETUID): running the child as uid 65534 needs CAP_SETUID, which the supervisor (uid 0) does not hold (at user); give the supervisor CAP_SETUID (e.g. docker run --cap-add SETUID), or leave the option out"
      })
      expect(await refused("-sys_admin", "sandbox")).toMatchObject({ _tag: "FenceError", reason: "Unsupported", path: "CAP_SYS_ADMIN" })
    })
  })
}
