/**
 * network(): the levels as steps, run for real (a fresh network namespace
 * cannot reach a server on the host's loopback, even with its own lo up),
 * and the TCP-only companion policy against UDP, raw, packet sockets,
 * io_uring and a family number widened past 32 bits.
 */
import { execFileSync } from "node:child_process"
import { createServer, type Server } from "node:net"
import { fileURLToPath } from "node:url"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeLibc } from "../../adapters/node/native.ts"
import { kernelFromLibc } from "../../core/host/kernel.ts"
import { decodeNetwork, networkPlanner } from "../../plugins/sandbox/network.ts"
import { systemFenceHost } from "../../plugins/sandbox/plugin.ts"

const stepsFixture = fileURLToPath(new URL("../fixtures/fence-steps.ts", import.meta.url))
const tcpFixture = fileURLToPath(new URL("../fixtures/tcp-only.ts", import.meta.url))
const host = systemFenceHost(kernelFromLibc(nodeLibc()))
let server: Server
let port = 0

beforeAll(async () => {
  server = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as { readonly port: number }).port
})

afterAll(() => void server.close())

const planFor = (option: unknown) => Result.getOrThrow(networkPlanner()(Result.getOrThrow(decodeNetwork(option)), host))

const connectUnder = (option: unknown): string => {
  const json = JSON.stringify({ steps: planFor(option).steps, probes: [{ connect: port }] })
  return (JSON.parse(execFileSync(process.execPath, [stepsFixture, json], { encoding: "utf8" })) as { readonly results: ReadonlyArray<string> }).results[0] ?? "none"
}

describe("network()", () => {
  it("'host' reaches the host's loopback; 'none' has no network at all; 'loopback' only its own", () => {
    expect([connectUnder("host"), connectUnder("none"), connectUnder("loopback")]).toEqual(["ok", "ENETUNREACH", "ECONNREFUSED"])
  })

  it("a TCP level is a Landlock ruleset plus the TCP-only policy", () => {
    const plan = planFor({ connect: [443] })
    expect(plan.steps).toEqual([{ kind: "landlock-restrict", rulesetFd: expect.any(Number), flags: 0 }])
    expect(plan.policies).toHaveLength(1)
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
