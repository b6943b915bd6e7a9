/**
 * network(): the levels as steps, compiled into the child program and run
 * for real by the C harness (test/helpers/fence-run.ts), as root and as
 * nobody in its own user namespace: a fresh network namespace cannot reach a
 * server on the host's loopback, even with its own lo up; a TCP level lets
 * the child connect to its ports only (Landlock) and, with the TCP-only
 * companion policy its preExec adds, open no UDP or raw socket. And the
 * companion policy alone against UDP, raw, packet sockets, io_uring and a
 * family number widened past 32 bits.
 */
import { execFileSync } from "node:child_process"
import { createServer, type Server } from "node:net"
import { fileURLToPath } from "node:url"
import { Effect, Layer, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer as nodeLayer } from "../../adapters/node/mod.ts"
import { nodeLibc } from "../../adapters/node/native.ts"
import { kernelFromLibc, KernelService } from "../../core/host/kernel.ts"
import { decodeNetwork, network, networkPlanner } from "../../plugins/sandbox/network.ts"
import { type FenceHost, systemFenceHost } from "../../plugins/sandbox/plugin.ts"
import { asNobody, runFenced, removeProbe } from "../helpers/fence-run.ts"

const tcpFixture = fileURLToPath(new URL("../fixtures/tcp-only.ts", import.meta.url))
const kernel = kernelFromLibc(nodeLibc())
const root = systemFenceHost(kernel)
const nobody: FenceHost = { ...root, euid: 65534, egid: 65534 }
const servers: Array<Server> = []
let port = 0
let otherPort = 0

const listen = async (): Promise<number> => {
  const server = createServer((socket) => socket.destroy())
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return (server.address() as { readonly port: number }).port
}

beforeAll(async () => {
  port = await listen()
  otherPort = await listen()
})

afterAll(() => servers.forEach((server) => server.close()))

const planFor = (option: unknown, host: FenceHost = root) => Result.getOrThrow(networkPlanner()(Result.getOrThrow(decodeNetwork(option)), host))

describe.each(["root", "nobody"] as const)("network() levels, supervisor %s", (as) => {
  const probe = (option: unknown): ReadonlyArray<string> =>
    runFenced(planFor(option, as === "root" ? root : nobody).steps, [`connect:${port}`, "lo"], as === "root" ? undefined : asNobody).lines

  it("'host' reaches the host's loopback; 'none' has no network at all; 'loopback' only its own, with lo up", () => {
    expect([probe("host"), probe("none"), probe("loopback")]).toEqual([["ok", "up"], ["ENETUNREACH", "down"], ["ECONNREFUSED", "up"]])
  })
})

describe("network() TCP ports", () => {
  it("a TCP level is a Landlock ruleset plus the TCP-only policy", () => {
    const plan = planFor({ connect: [443] })
    expect(plan.steps).toEqual([{ kind: "no-new-privs" }, { kind: "landlock", rulesetFd: expect.any(Number) }])
    expect(plan.policies).toHaveLength(1)
  })

  it("lets the child connect to the ports given and no other, and bind none", () => {
    const { lines } = runFenced(planFor({ connect: [port] }).steps, [`connect:${port}`, `connect:${otherPort}`, "bind:0"])
    expect(lines).toEqual(["ok", "EACCES", "EACCES"])
  })

  it("with the companion policy from its preExec, refuses UDP and raw sockets too", async () => {
    const services = Layer.merge(nodeLayer, Layer.succeed(KernelService, kernel))
    const steps = await Effect.runPromise(Effect.provide(network({ connect: [port] }).preExec({}), services))
    expect(steps.map((step) => step.kind)).toEqual(["no-new-privs", "landlock", "no-new-privs", "seccomp"])
    const { lines } = runFenced(steps, [`connect:${port}`, `connect:${otherPort}`, "udp", "raw"])
    expect(lines).toEqual(["ok", "EACCES", "EACCES", "EACCES"])
  })

  it("the TCP-only policy refuses every inet socket but TCP, packet sockets and io_uring", () => {
    const sockets = [["2", "1"], ["2", "2"], ["2", "524290"], ["2", "3"], ["10", "2"], ["10", "1"], ["17", "3"], ["4294967298", "2"], ["1", "2"]]
    const results = JSON.parse(execFileSync(process.execPath, [tcpFixture, JSON.stringify(sockets)], { encoding: "utf8" })) as ReadonlyArray<string>
    // TCP, UDP, UDP|SOCK_CLOEXEC, raw, UDP6, TCP6, packet, UDP with a widened family, unix datagram; io_uring_setup
    expect(results).toEqual(["ok", "EACCES", "EACCES", "EACCES", "EACCES", "ok", "EACCES", "EACCES", "ok", "EACCES"])
  })

  it("rejects what is not a network level, with its path", () => {
    const messages = ["loopbak", { connect: [0] }, { conect: [443] }].map((option) => {
      const result = decodeNetwork(option)
      return Result.isFailure(result) ? result.failure.message : "accepted"
    })
    expect(messages).toEqual([
      'Invalid network option at network: Unknown value "loopbak": did you mean "loopback"?',
      "Invalid network option at network.connect[0]: expected a whole number from 1 to 65535, got 0",
      'Invalid network option at network.conect: Unknown option "conect": did you mean "connect"?'
    ])
  })
})

afterAll(removeProbe)
