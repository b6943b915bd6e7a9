/**
 * `kakoi export`: the BPF it writes is what `compile()` makes of the same
 * policy, PFC is libseccomp's, and JSON reads back as the same policy.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { layer } from "../../adapters/node/mod.ts"
import { compile, policy, toJson, type PolicyJson } from "../../plugins/seccomp/mod.ts"
import { kakoi, lines, tempDir } from "./kakoi.ts"

const file = join(import.meta.dirname, "../fixtures/cli-policy.json")
const original = (): PolicyJson => JSON.parse(readFileSync(file, "utf8")) as PolicyJson
const bpfOf = async (json: PolicyJson): Promise<Buffer> =>
  Buffer.from((await Effect.runPromise(compile(policy(json)).pipe(Effect.provide(layer)))).bpf)

describe("kakoi export", () => {
  it("writes the BPF program compile() makes, by default and with --format bpf", async () => {
    const expected = await bpfOf(original())
    expect(expected.length % 8).toBe(0)
    for (const args of [[], ["--format", "bpf"]]) {
      const result = kakoi(["export", "--policy", file, ...args])
      expect(result).toMatchObject({ status: 0, stderr: "" })
      expect(result.bytes.equals(expected)).toBe(true)
    }
  })

  it("--format pfc writes libseccomp's pseudo filter code", () => {
    const result = kakoi(["export", "--policy", file, "--format", "pfc"])
    expect(result).toMatchObject({ status: 0, stderr: "" })
    expect(lines(result.stdout).slice(0, 3)).toEqual(["#", "# pseudo filter code start", "#"])
    expect(result.stdout).toContain("# pseudo filter code end")
    expect(result.stdout).toContain('# filter for syscall "socket" (41)')
    expect(result.stdout).toContain("action ERRNO(13);")
  })

  it("--format json writes the policy so that policy() reads back the same filter", async () => {
    const result = kakoi(["export", "--policy", file, "--format", "json"])
    expect(result).toMatchObject({ status: 0, stderr: "" })
    const exported = JSON.parse(result.stdout) as PolicyJson
    expect(toJson(policy(exported))).toEqual(toJson(policy(original())))
    expect((await bpfOf(exported)).equals(await bpfOf(original()))).toBe(true)
  })

  it("--out writes the file and nothing to stdout", async () => {
    const out = join(tempDir(), "filter.bpf")
    const result = kakoi(["export", "--policy", file, "--out", out])
    expect(result).toMatchObject({ status: 0, stdout: "", stderr: "" })
    expect(readFileSync(out).equals(await bpfOf(original()))).toBe(true)
  })

  it("rejects an unknown --format with exit 2 and a hint, writing nothing", () => {
    const out = join(tempDir(), "filter.xml")
    const result = kakoi(["export", "--policy", file, "--format", "xml", "--out", out])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(lines(result.stderr)).toEqual(['kakoi: --format takes bpf, pfc, json, oci, systemd, got "xml"', "Try 'kakoi export --help' for more information"])
    expect(existsSync(out)).toBe(false)
  })

  it("requires --policy", () => {
    const result = kakoi(["export", "--format", "pfc"])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(lines(result.stderr)).toEqual(["kakoi: --policy FILE is required", "Try 'kakoi export --help' for more information"])
  })

  it("rejects a missing policy file with exit 2 and a hint at kakoi export --help", () => {
    const missing = join(tempDir(), "missing.json")
    const result = kakoi(["export", "--policy", missing])
    expect(result).toMatchObject({ status: 2, stdout: "" })
    expect(lines(result.stderr)).toEqual([`kakoi: Cannot read policy file "${missing}": ENOENT`, "Try 'kakoi export --help' for more information"])
  })
})
