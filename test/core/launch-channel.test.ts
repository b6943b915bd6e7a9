/** The launcher's guess of a child's control channel (shared for CLONE_VFORK children) against what the compiled program says. */
import { describe, expect, it } from "vitest"
import { likelyVfork } from "../../core/launch/channel.ts"
import { compileProgram, type ProgramInput } from "../../core/program/mod.ts"
import type { PreExecStep } from "../../core/steps.ts"

const input: ProgramInput = {
  argv: ["tool"], env: ["PATH=/usr/bin"], steps: [], stdio: [20, 21, 22], control: 23, parentDeathSignal: 9, parentPid: 4242, parentPidfd: 24, signalsToDefault: []
}
const bpf = new Uint8Array(8).fill(6)
const users: PreExecStep = { kind: "user-namespace", uidMap: "1000 1000 1", gidMap: "1000 1000 1", anyMap: true }

describe("likelyVfork()", () => {
  it.each<readonly [string, ReadonlyArray<PreExecStep>]>([
    ["no steps", []],
    ["plain steps", [{ kind: "setsid" }, { kind: "chdir", path: "/" }, { kind: "rlimit", resource: "nofile", soft: 64n, hard: 64n }, { kind: "no-new-privs" }]],
    ["a filter", [{ kind: "no-new-privs" }, { kind: "seccomp", bpf }]],
    ["a filter with a notify listener", [{ kind: "seccomp", bpf, listener: true }]],
    ["a user namespace", [users, { kind: "unshare", namespaces: ["network"] }]],
    ["a pid namespace and its init", [{ kind: "pid-namespace" }, { kind: "landlock", scopes: ["signal"] }]],
    ["an init in a user namespace with a listener", [users, { kind: "pid-namespace" }, { kind: "landlock", scopes: ["signal"] }, { kind: "seccomp", bpf, listener: true }]]
  ])("guesses what the compiler decides for %s", (_name, steps) => {
    expect(likelyVfork(steps)).toBe(compileProgram({ ...input, steps }).mayVfork)
  })
})
