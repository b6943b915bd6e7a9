/**
 * What a target inherits from the supervisor, seen from real supervising
 * processes in each runtime (test/fixtures/kakoi-run.ts started under a shell
 * that sets the stage): the resource limits the supervisor's parent gave it,
 * not the runtime's raised RLIMIT_NOFILE; blocking stdio even where the runtime
 * made its own non-blocking, without losing data or a file's offset; signals
 * ignored by the supervisor's parent staying ignored; and no core dump of the
 * memory a child shares with the supervisor until its execve.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/** The fixture; run as `<runtime argv...> kakoiRunFixture <runtime> <plain|policy> <argv...>`. */
export const kakoiRunFixture: string = fileURLToPath(new URL("../fixtures/kakoi-run.ts", import.meta.url))

/** One runtime under test. */
export interface InheritUnderTest {
  readonly runtime: string
  /** argv that runs `kakoiRunFixture` with `mode` in this runtime (the target's argv follows). */
  readonly supervisor: (mode: "plain" | "policy" | "strict") => ReadonlyArray<string>
  /**
   * Whether a signal the supervisor's parent ignored is still ignored when
   * kakoi loads: Node resets every disposition at startup (its PlatformInit),
   * so on Node the parent's SIG_IGN is gone before any JavaScript runs.
   */
  readonly runtimeKeepsIgnoredSignals: boolean
}

const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`

/** Runs a shell script; `$KAKOI` in it is the supervisor command (mode plain), `$KAKOI_POLICY` and `$KAKOI_STRICT` the ones with a policy. */
const shell = (adapter: InheritUnderTest, script: string): string =>
  execFileSync("/bin/sh", ["-c", script], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      KAKOI: [...adapter.supervisor("plain")].map(quote).join(" "),
      KAKOI_POLICY: [...adapter.supervisor("policy")].map(quote).join(" "),
      KAKOI_STRICT: [...adapter.supervisor("strict")].map(quote).join(" ")
    }
  })

/** Registers the suite for one runtime. */
export const inheritSuite = (adapter: InheritUnderTest): void => {
  describe(`what the target inherits on ${adapter.runtime}`, () => {
    it("RLIMIT_NOFILE as the supervisor's parent gave it, not the runtime's raised soft limit", () => {
      // `; true` keeps the shell as the supervisor's parent (no exec), as when a shell runs a command.
      const out = shell(adapter, `ulimit -S -n 1024; ulimit -H -n 4096; eval "$KAKOI sh -c 'ulimit -S -n; ulimit -H -n'"; true`)
      expect(out).toBe("1024\n4096\n")
    })

    // The case: the runtime raised 1024:20000 to 20000:20000, and the supervisor's parent is at soft = hard.
    it("RLIMIT_NOFILE as prlimit started the supervisor, from a parent whose soft limit is its hard one", () => {
      const out = shell(adapter, `ulimit -n "$(ulimit -H -n)"; eval "prlimit --nofile=1024:$(ulimit -H -n) $KAKOI sh -c 'ulimit -S -n; ulimit -H -n'"; true`)
      expect(out).toBe(`1024\n${shell(adapter, "ulimit -H -n")}`)
    })

    // A parent at soft = hard tells nothing (the case above looks the same): the target gets no more than systemd's soft limit.
    it("RLIMIT_NOFILE with soft equal to hard in the parent too: min(hard, 1024) as the soft limit", () => {
      expect(shell(adapter, `ulimit -n 2048; eval "$KAKOI_POLICY sh -c 'ulimit -S -n; ulimit -H -n'"; true`)).toBe("1024\n2048\n")
      expect(shell(adapter, `ulimit -n 512; eval "$KAKOI_POLICY sh -c 'ulimit -S -n; ulimit -H -n'"; true`)).toBe("512\n512\n")
    })

    // Until its execve the child shares the supervisor's memory: a core dump of it then is the supervisor's, secrets
    // and all, written where the child runs (with core_pattern "core", as here; a pipe pattern hands it to a program).
    it("RLIMIT_CORE of at most 1 byte, so a child killed before its execve dumps no core of the supervisor's memory", () => {
      const directory = mkdtempSync(join(tmpdir(), "kakoi-core-"))
      try {
        // The strict allowlist kills the report of a command that is not there: SIGSYS, a signal that dumps core.
        expect(shell(adapter, `cd ${quote(directory)}; ulimit -c unlimited; eval "$KAKOI_STRICT kakoi-no-such-command"; echo "$?"; ls`)).toBe("159\n")
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
      // In bytes (ulimit -c counts blocks of 1024): the soft and hard limit.
      const core = (script: string): ReadonlyArray<string> =>
        shell(adapter, `${script}; eval "$KAKOI grep '^Max core file size' /proc/self/limits"; true`).split(/\s+/).slice(4, 6)
      expect(core("ulimit -c unlimited")).toEqual(["1", "unlimited"])
      expect(core("ulimit -S -c 0")).toEqual(["0", "unlimited"])
    })

    it("blocking stdout even where the runtime made its own non-blocking: a slow reader loses nothing", () => {
      const out = shell(adapter, `eval "$KAKOI head -c 20000000 /dev/zero" 2>&1 | (sleep 1; wc -c)`)
      expect(out.trim()).toBe("20000000")
    })

    it("the target's inherited stdout pipe is a description of its own, without O_NONBLOCK", () => {
      const out = shell(adapter, `eval "$KAKOI sh -c 'grep flags /proc/self/fdinfo/1'" | cat`)
      const flags = Number.parseInt(/flags:\s+([0-7]+)/.exec(out)?.[1] ?? "", 8)
      expect(Number.isNaN(flags)).toBe(false)
      expect(flags & 0o4000).toBe(0)
    })

    it("blocking stdout when it is a socket (a Node or libuv parent's pipe), which cannot be opened again: a slow reader loses nothing", () => {
      // The supervisor's stdout is one end of a socketpair, read only after a second, as child_process's parent reads it.
      const reader = [
        "import socket, subprocess, sys, time",
        "ours, theirs = socket.socketpair()",
        "child = subprocess.Popen(['/bin/sh', '-c', sys.argv[1]], stdout=theirs)",
        "theirs.close()",
        "time.sleep(1)",
        "total = 0",
        "while chunk := ours.recv(1 << 16): total += len(chunk)",
        "print(total, child.wait())"
      ].join("\n")
      const out = shell(adapter, `/usr/bin/python3 -c ${quote(reader)} "$KAKOI head -c 20000000 /dev/zero"`)
      expect(out).toBe("20000000 0\n")
    })

    it("an inherited file keeps its offset: output lands after what came before", () => {
      const file = join(mkdtempSync(join(tmpdir(), "kakoi-")), "out")
      shell(adapter, `{ echo one; eval "$KAKOI echo two"; echo three; } > ${quote(file)}`)
      expect(readFileSync(file, "utf8")).toBe("one\ntwo\nthree\n")
    })

    it("nohup: SIGHUP stays ignored for the target where the runtime kept it ignored", () => {
      const out = shell(adapter, `nohup sh -c "$KAKOI grep SigIgn /proc/self/status; true" 2>/dev/null`)
      expect(out).toBe(adapter.runtimeKeepsIgnoredSignals ? "SigIgn:\t0000000000000001\n" : "SigIgn:\t0000000000000000\n")
    })
  })
}
