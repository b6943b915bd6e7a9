/**
 * The Landlock ruleset builder on the real kernel, for any runtime: a
 * throwaway process of the runtime under test builds a ruleset with
 * plugins/sandbox/landlock/ruleset.ts through its own FFI, restricts its main
 * thread and attacks: reads outside the read paths, connects to a port not
 * allowed, signals its parent. Each attack must fail with the kernel's errno.
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

/** The fixture: argv `<runtime> <json>`. */
export const landlockFixture: string = fileURLToPath(new URL("../fixtures/landlock-self.ts", import.meta.url))

interface FixtureOutput {
  readonly abi?: number
  readonly skipped?: ReadonlyArray<string>
  readonly restricted?: string
  readonly results?: ReadonlyArray<string>
  readonly error?: string
  readonly reason?: string
}

/** Registers the suite; `command(json)` is the argv that runs `landlockFixture` in the runtime under test. */
export const landlockSuite = (runtime: string, command: (json: string) => ReadonlyArray<string>): void => {
  let root = ""
  const servers: Array<Server> = []
  const ports: Array<number> = []

  const attack = (input: object): FixtureOutput => {
    const [file = "", ...args] = command(JSON.stringify(input))
    return JSON.parse(execFileSync(file, args, { encoding: "utf8", timeout: 20_000 })) as FixtureOutput
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "kakoi-landlock-"))
    for (const name of ["allowed", "denied"]) {
      mkdirSync(join(root, name))
      writeFileSync(join(root, name, "secret"), name)
    }
    for (let index = 0; index < 2; index++) {
      const server = createServer((socket) => socket.destroy())
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      servers.push(server)
      ports.push((server.address() as { readonly port: number }).port)
    }
  })

  afterAll(() => {
    for (const server of servers) server.close()
    rmSync(root, { recursive: true, force: true })
  })

  describe(`Landlock rulesets on ${runtime}`, () => {
    it("lets a restricted process read beneath a read path and nowhere else", () => {
      const output = attack({
        rules: { filesystem: [{ path: join(root, "allowed"), access: ["read"] }], network: undefined, scopes: [], bestEffort: false },
        probes: [{ read: join(root, "allowed", "secret") }, { read: join(root, "denied", "secret") }, { read: "/etc/passwd" }]
      })
      expect(output).toMatchObject({ abi: 7, skipped: [], restricted: "ok", results: ["ok", "EACCES", "EACCES"] })
    })

    it("takes a rule on a single file, keeping only the rights that apply to files", () => {
      const output = attack({
        rules: { filesystem: [{ path: join(root, "allowed", "secret"), access: ["read", "write", "make", "remove"] }], network: undefined, scopes: [], bestEffort: false },
        probes: [{ read: join(root, "allowed", "secret") }, { read: join(root, "denied", "secret") }]
      })
      expect(output).toMatchObject({ restricted: "ok", results: ["ok", "EACCES"] })
    })

    it("allows TCP connect only to the ports given", () => {
      const output = attack({
        rules: { filesystem: undefined, network: { connect: [ports[0]], bind: [] }, scopes: [], bestEffort: false },
        probes: [{ connect: ports[0] }, { connect: ports[1] }]
      })
      expect(output.results).toEqual(["ok", "EACCES"])
    })

    it("scopes signals to the domain: the parent cannot be signalled", () => {
      const scoped = attack({ rules: { filesystem: undefined, network: undefined, scopes: ["signal"], bestEffort: false }, probes: [{ signal: process.pid }] })
      const unscoped = attack({ rules: { filesystem: undefined, network: undefined, scopes: [], bestEffort: false }, probes: [{ signal: process.pid }] })
      expect([scoped.results, unscoped.results]).toEqual([["EPERM"], ["ok"]])
    })

    it("keeps a restricted process from ptrace, pidfd_getfd and /proc/<pid>/mem of a process outside its domain", () => {
      const outsider = spawn("sleep", ["30"], { stdio: "ignore" })
      try {
        const probes = [{ ptrace: outsider.pid }, { getfd: outsider.pid }, { mem: outsider.pid }]
        const domain = attack({ rules: { filesystem: undefined, network: undefined, scopes: [], bestEffort: false }, probes })
        const control = attack({ rules: { filesystem: undefined, network: undefined, scopes: [], bestEffort: false }, restrict: false, probes })
        expect([domain.results, control.results]).toEqual([["EPERM", "EPERM", "EACCES"], ["ok", "ok", "ok"]])
      } finally {
        outsider.kill("SIGKILL")
      }
    })

    it("refuses a port rule on an ABI without TCP rules, unless best effort is asked for", () => {
      const rules = { filesystem: undefined, network: { connect: [ports[0]], bind: [] }, scopes: [] }
      const strict = attack({ rules: { ...rules, bestEffort: false }, abi: 3, probes: [] })
      expect(strict).toMatchObject({ reason: "Unsupported" })
      expect(strict.error).toContain("TCP port rules (connect, bind) needs Landlock ABI 4")
      const lenient = attack({ rules: { ...rules, bestEffort: true }, abi: 3, probes: [{ connect: ports[1] }] })
      expect(lenient).toMatchObject({ abi: 3, skipped: ["TCP port rules (connect, bind) (needs Landlock ABI 4, this kernel has 3)"], results: ["ok"] })
    })

    it("fails with the errno when a rule's path does not exist", () => {
      const output = attack({ rules: { filesystem: [{ path: join(root, "missing"), access: ["read"] }], network: undefined, scopes: [], bestEffort: false }, probes: [] })
      expect(output.reason).toBe("SystemCallFailed")
      expect(output.error).toContain("ENOENT")
    })
  })
}
