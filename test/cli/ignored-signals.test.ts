/** What the kakoi executable hands over as ignored: a hostile or broken mask never makes kakoi ignore a fault or SIGCHLD. */
import { describe, expect, it } from "vitest"
import { notIgnored, takeIgnoredSignals } from "../../cli/ignored-signals.ts"

const take = (value: string | undefined) => {
  const env: Record<string, string | undefined> = { KAKOI_IGNORED_SIGNALS: value, OTHER: "kept" }
  return { signals: takeIgnoredSignals(env), env }
}

describe("takeIgnoredSignals()", () => {
  it("reads SigIgn's mask as /proc writes it (a tab first) and takes the variable out of the environment", () => {
    expect(take("\t0000000000000001")).toEqual({ signals: ["SIGHUP"], env: { OTHER: "kept" } })
    expect(take("0000000000000006").signals).toEqual(["SIGINT", "SIGQUIT"])
  })

  it("with every bit set, ignores only stops, hangups and requests: never SIGSEGV, SIGBUS, SIGCHLD, SIGKILL or SIGPIPE", () => {
    const { signals } = take("ffffffffffffffff")
    expect([...signals].sort()).toEqual(["SIGALRM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGUSR1", "SIGUSR2"])
    for (const never of ["SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGCHLD", "SIGKILL", "SIGSTOP", "SIGPIPE"]) expect(signals).not.toContain(never)
  })

  it("ignores nothing for a missing, empty or malformed mask, and still takes the variable out", () => {
    for (const value of [undefined, "", "-1", "0x1", "zz", "1".repeat(17), "1 1", "f".repeat(100_000)]) {
      expect(take(value)).toEqual({ signals: [], env: { OTHER: "kept" } })
    }
  })
})

describe("notIgnored()", () => {
  it("keeps the order of what is asked for, without the ignored ones", () => {
    expect(notIgnored(["SIGTERM", "SIGINT", "SIGHUP"], ["SIGHUP", "SIGQUIT"])).toEqual(["SIGTERM", "SIGINT"])
  })
})
