/** Snapshots of the supervisor's environment: read for every spawn, the same object while nothing changed, a new one as soon as anything did. */
import { describe, expect, it } from "vitest"
import { environmentReader, environmentStrings, isEnvironmentSnapshot } from "../../core/environment.ts"

describe("environmentReader()", () => {
  it("gives the defined variables, frozen, the same object while they and their values stay, a new one when one changes", () => {
    const env: Record<string, string | undefined> = { PATH: "/usr/bin", GONE: undefined, HOME: "/root" }
    const read = environmentReader(() => env)
    const first = read()
    expect(first).toEqual({ PATH: "/usr/bin", HOME: "/root" })
    expect(Object.keys(first)).toEqual(["PATH", "HOME"])
    expect(Object.isFrozen(first)).toBe(true)
    expect(isEnvironmentSnapshot(first)).toBe(true)
    expect(read()).toBe(first)
    env.HOME = "/home/user"
    const changed = read()
    expect(changed).toEqual({ PATH: "/usr/bin", HOME: "/home/user" })
    expect(read()).toBe(changed)
    env.GONE = "back"
    expect(read()).toEqual({ PATH: "/usr/bin", GONE: "back", HOME: "/home/user" })
    delete env.GONE
    expect(read()).toEqual({ PATH: "/usr/bin", HOME: "/home/user" })
  })

  // A supervisor started with __proto__=x in its environment (env, execve): child_process passes it on.
  it("keeps a variable named __proto__, which an assignment would take for the prototype", () => {
    const snapshot = environmentReader(() => JSON.parse('{"__proto__":"x","A":"1"}') as Record<string, string>)()
    expect(Object.keys(snapshot)).toEqual(["__proto__", "A"])
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype)
    expect(environmentStrings(snapshot)).toEqual(["__proto__=x", "A=1"])
  })

  it("asks `unchanged` at every call and reads only when it cannot say the environment is the same", () => {
    const env: Record<string, string | undefined> = { A: "1" }
    let reads = 0
    let answer = true
    const asked: Array<boolean> = []
    const read = environmentReader(() => (reads++, env), "as-read", () => (asked.push(answer), answer))
    // The first call reads whatever the probe says: there is no snapshot yet.
    const first = read()
    expect([first, reads]).toEqual([{ A: "1" }, 1])
    expect(read()).toBe(first)
    expect(reads).toBe(1)
    env.A = "2"
    answer = false
    expect(read()).toEqual({ A: "2" })
    expect([reads, asked.length]).toEqual([2, 3])
  })

  it("as read, a new order is a new snapshot; by name, the order it was read in does not matter", () => {
    let env: Record<string, string> = { B: "2", A: "1" }
    const asRead = environmentReader(() => env)
    const byName = environmentReader(() => env, "by-name")
    const [first, sorted] = [asRead(), byName()]
    expect(Object.keys(first)).toEqual(["B", "A"])
    expect(Object.keys(sorted)).toEqual(["A", "B"])
    env = { A: "1", B: "2" }
    expect(Object.keys(asRead())).toEqual(["A", "B"])
    expect(byName()).toBe(sorted)
    env = { A: "1", B: "2", C: "3" }
    expect(byName()).toEqual({ A: "1", B: "2", C: "3" })
  })
})

describe("environmentStrings()", () => {
  it("gives NAME=value in order; for a snapshot the same frozen list every time", () => {
    expect(environmentStrings({ PATH: "/usr/bin", HOME: "/root" })).toEqual(["PATH=/usr/bin", "HOME=/root"])
    const snapshot = environmentReader(() => ({ PATH: "/usr/bin", EMPTY: "" }))()
    const strings = environmentStrings(snapshot)
    expect(strings).toEqual(["PATH=/usr/bin", "EMPTY="])
    expect(Object.isFrozen(strings)).toBe(true)
    expect(environmentStrings(snapshot)).toBe(strings)
    expect(isEnvironmentSnapshot({ PATH: "/usr/bin" })).toBe(false)
  })
})
