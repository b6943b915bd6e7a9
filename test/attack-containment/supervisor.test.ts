/**
 * Attacks that reach the supervisor by calls the seccomp floor leaves alone (prlimit64, setpriority,
 * kill of the parent): the containment fence (issue 10) is to stop them, not the policy work. Moved
 * here from test/attack/floor.test.ts; vitest.config.ts excludes this folder until that fence lands.
 * They FAIL today, one per open finding.
 */
import { describe, expect, it } from "vitest"
import { attack, program } from "../attack/attack.ts"

const EPERM = 1

describe("reaching the supervisor by other calls (for the containment fence, issue 10, if not the floor)", () => {
  // FINDING (medium): the floor stops ptrace/process_vm_*/pidfd_getfd, but a child may still rewrite its
  // supervisor's resource limits (prlimit64 on the parent: RLIMIT_NOFILE 0 starves it of fds,
  // RLIMIT_CPU kills it) and scheduling (setpriority, sched_setaffinity, ioprio_set), with the same uid,
  // and signal it (kill, pidfd_send_signal). /proc/<ppid>/mem is also open to it (not seccomp's to stop).
  it("prlimit64 cannot rewrite the supervisor's limits", async () => {
    expect(await attack({ default: "allow" }, [program("attack-probe"), "prlimit-parent"])).toBe(`errno ${EPERM}`)
  })

  it("kill cannot signal the supervisor (signal 0: the permission check alone)", async () => {
    expect(await attack({ default: "allow" }, [program("syscall-probe"), "62", String(process.pid), "0"])).toBe(`errno ${EPERM}`)
  })

  it("setpriority cannot renice the supervisor", async () => {
    expect(await attack({ default: "allow" }, [program("attack-probe"), "renice-parent"])).toBe(`errno ${EPERM}`)
  })
})
