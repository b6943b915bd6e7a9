/**
 * Attacks on notify handlers (the supervisor decides a call): the child
 * stacks a seccomp filter of its own that notifies the same call to a
 * listener it holds. Among filters that return the same action the kernel
 * uses the newest, so that listener would get the notification instead of
 * kakoi's and could answer CONTINUE. Held: the kernel refuses a second
 * listener in a filter tree that has one (EBUSY, has_duplicate_listener).
 */
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { run } from "../../adapters/node/mod.ts"
import { answer, policy, seccomp } from "../../plugins/seccomp/mod.ts"
import { program } from "./attack.ts"

describe("a notify handler decides the calls it is given", () => {
  it("a child's own listener cannot take over a call kakoi's handler denies (EBUSY)", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kakoi-attack-")), "made")
    let seen = 0
    const fence = policy((rule) => {
      rule.notify(() => {
        seen++
        return answer.fail("EACCES")
      }, "mkdir")
    }, { default: "allow" })
    const result = await run([program("attack-probe"), "nested-notify", path], { plugins: [seccomp(fence)] })
    expect(result.exitCode, result.stderr).toBe(0)
    expect({ outcome: result.stdout.trim(), made: existsSync(path), seen }).toEqual({ outcome: "seccomp errno 16", made: false, seen: 0 })
  })
})
