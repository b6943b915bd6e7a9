/**
 * Real programs under the shipped Docker and Podman default profiles
 * (test/fixtures/profiles), read by policy() and run through kakoi, for any
 * adapter: sh with coreutils, python3, git and node do real work, and a call
 * the profile does not list fails with the profile's own errno (the probe,
 * test/fixtures/syscall-probe.c, makes it raw).
 */
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { policy, seccomp, type OciProfile } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"

export interface ProfilesApi {
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>
}

const profile = (name: string): OciProfile =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/profiles/${name}`, import.meta.url)), "utf8")) as OciProfile

/** The system's python3, not a version manager's shell shim in front of it. */
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3"
const SYS_add_key = 248
const [EPERM, ENOSYS] = [1, 38]

export const profilesSuite = (api: ProfilesApi): void => {
  let probe = ""
  beforeAll(() => {
    probe = buildC(fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url)))
  })

  for (const [name, unlisted] of [["docker-default.json", EPERM], ["podman-containers-common.json", ENOSYS]] as const) {
    describe(name, () => {
      // As kakoi run --policy reads it: the child's capabilities are this process's.
      const under = (): RunOptions<any, any> => ({ plugins: [seccomp(policy(profile(name)))] })
      const ok = async (argv: ReadonlyArray<string>): Promise<string> => {
        const result = await api.run(argv, under())
        expect(result.exitCode, `${argv.join(" ")}: ${result.stderr}`).toBe(0)
        return result.stdout
      }

      it("runs sh with coreutils", async () => {
        const script = 'd=$(mktemp -d) && mkdir "$d/a" && printf "b\\na\\n" > "$d/a/f" && cp "$d/a/f" "$d/g" && sort "$d/g" | tr "\\n" " " && ls "$d" | wc -l && rm -r "$d"'
        expect(await ok(["/bin/sh", "-c", script])).toBe("a b 2\n")
      })

      it("runs python3", async () => {
        const code = "import json, os, subprocess, tempfile; d = tempfile.mkdtemp(); open(os.path.join(d, 'x'), 'w').write('1'); " +
          "print(json.dumps(sorted(os.listdir(d))), subprocess.run(['true']).returncode)"
        expect(await ok([python, "-c", code])).toBe('["x"] 0\n')
      })

      it("runs git", async () => {
        const script = 'd=$(mktemp -d) && git init -q "$d" && echo hi > "$d/f" && git -C "$d" add f && ' +
          'git -C "$d" -c user.name=k -c user.email=k@example.com commit -q -m first && git -C "$d" log --format=%s && rm -rf "$d"'
        expect(await ok(["/bin/sh", "-c", script])).toBe("first\n")
      })

      it("runs node", async () => {
        const code = "const fs = require('node:fs'); const p = require('node:path'); const os = require('node:os');" +
          "const d = fs.mkdtempSync(p.join(os.tmpdir(), 'k-')); fs.promises.writeFile(p.join(d, 'x'), 'y')" +
          ".then(() => fs.promises.readFile(p.join(d, 'x'), 'utf8')).then((t) => { fs.rmSync(d, { recursive: true }); console.log(t) })"
        expect(await ok(["node", "-e", code])).toBe("y\n")
      })

      it(`fails a call it does not list with its errno (${unlisted})`, async () => {
        expect(await ok([probe, String(SYS_add_key)])).toBe(`errno ${unlisted}\n`)
      })
    })
  }
}
