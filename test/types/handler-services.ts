/**
 * A notify handler's services flow to the caller, checked by the type checker
 * only (`npm run typecheck`, `typecheck:bun`, `typecheck:deno`): a handler that
 * needs a service makes the seccomp plugin need it, `runEffect` requires it of
 * its caller, and the Promise `run` (which can provide only the adapter's
 * services) refuses the plugin. Nothing here is meant to run.
 */
import { Context, Effect } from "effect"
import { layer, run, runEffect, type Plugin } from "../../mod.ts"
import { answer, policy, seccomp, type NotifyError, type NotifyHandler, type PolicyError, type SeccompLibrary } from "../../plugins/seccomp/mod.ts"

/** True only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const same = <A, B>(_proof: Equals<A, B>): void => {}

/** The requirements of an Effect. */
type ServicesOf<T> = T extends Effect.Effect<unknown, unknown, infer R> ? R : never

/** A caller's service a handler asks. */
class Permits extends Context.Service<Permits, { readonly syscall: (name: string) => boolean }>()("test/Permits") {}

export const consumer = async (): Promise<void> => {
  const byService: NotifyHandler<Permits> = (n) =>
    Effect.gen(function*() {
      return (yield* Permits).syscall(n.name) ? answer.allow() : answer.fail("EACCES")
    })
  const json = policy({ default: "allow", rules: [{ action: "notify", syscalls: ["getppid"], handler: "ppid" }] })
  const fence = seccomp(json, { handlers: { ppid: byService } })
  same<typeof fence, Plugin<PolicyError | NotifyError, SeccompLibrary | Permits>>(true)
  // Handlers that need nothing add nothing.
  same<ReturnType<typeof seccomp<never>>, Plugin<PolicyError | NotifyError, SeccompLibrary>>(true)
  const plain = seccomp(json, { notify: { handler: () => answer.allow() } })
  same<typeof plain, Plugin<PolicyError | NotifyError, SeccompLibrary>>(true)

  // runEffect requires Permits of its caller, next to the adapter's services.
  const program = runEffect(["true"], { plugins: [fence] })
  same<Extract<ServicesOf<typeof program>, Permits>, Permits>(true)
  await Effect.runPromise(program.pipe(Effect.provideService(Permits, { syscall: () => true }), Effect.provide(layer)))
  // @ts-expect-error Permits is still required once the adapter's layer is provided
  await Effect.runPromise(Effect.provide(program, layer))
  // @ts-expect-error the Promise API provides only the adapter's services
  await run(["true"], { plugins: [fence] })
}
