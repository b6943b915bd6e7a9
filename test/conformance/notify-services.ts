/**
 * Notify handlers that need the caller's services, for any adapter: a handler
 * typed `NotifyHandler<R>` makes the seccomp plugin need `R`, `runEffect`
 * requires it, and the handler runs with what the caller provided (a service,
 * and the caller's own Logger), not with a default runtime's.
 */
import { fileURLToPath } from "node:url"
import { Context, Effect, Layer, Logger } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { Services } from "../../adapters/portable.ts"
import type { RunEffect } from "../../core/api.ts"
import { answer, policy, seccomp, type NotifyHandler } from "../../plugins/seccomp/mod.ts"
import { buildC } from "../helpers/build-c.ts"

/** One adapter under test. */
export interface NotifyServicesApi {
  readonly runtime: string
  readonly runEffect: RunEffect<Services, unknown>
  readonly layer: Layer.Layer<Services, unknown>
}

const probeSource = fileURLToPath(new URL("../fixtures/syscall-probe.c", import.meta.url))
const SYS_getppid = 110

/** The caller's service: what getppid returns in the child. */
class FakePpid extends Context.Service<FakePpid, { readonly value: number }>()("test/FakePpid") {}

const fromService: NotifyHandler<FakePpid> = (notification) =>
  Effect.gen(function*() {
    const { value } = yield* FakePpid
    yield* Effect.logInfo(`answered ${notification.name}`)
    return answer.value(value)
  })

const notifyGetppid = policy({ default: "allow", rules: [{ action: "notify", syscalls: ["getppid"], handler: "ppid" }] })

export const notifyServicesSuite = (api: NotifyServicesApi): void => {
  let probe = ""
  beforeAll(() => {
    probe = buildC(probeSource)
  })

  describe(`notify handlers with the caller's services on ${api.runtime}`, () => {
    it("a handler's service comes from the caller's runEffect, and so does its Logger", async () => {
      const logged: Array<unknown> = []
      const logger = Logger.make(({ message }) => void logged.push(message))
      const program = api.runEffect([probe, String(SYS_getppid)], { plugins: [seccomp(notifyGetppid, { handlers: { ppid: fromService } })] })
      const result = await Effect.runPromise(program.pipe(
        Effect.provideService(FakePpid, { value: 4343 }),
        Effect.provide(Layer.merge(api.layer, Logger.layer([logger])))
      ))
      expect(result.stdout.trim(), result.stderr).toBe("ok 4343")
      expect(logged.flat()).toContain("answered getppid")
    })

    it("the fallback handler (notify.handler) gets the caller's services too", async () => {
      const program = api.runEffect([probe, String(SYS_getppid)], {
        plugins: [seccomp(policy({ default: "allow", rules: [{ action: "notify", syscalls: ["getppid"] }] }), { notify: { handler: fromService } })]
      })
      const result = await Effect.runPromise(program.pipe(Effect.provideService(FakePpid, { value: 77 }), Effect.provide(api.layer)))
      expect(result.stdout.trim(), result.stderr).toBe("ok 77")
    })
  })
}
