/**
 * kakoi's Effect services and handler types from a consumer's point of view,
 * checked by the type checker only (`npm run typecheck`, `typecheck:bun`,
 * `typecheck:deno`): SeccompLibrary is a nominal tag (a service of the same
 * shape is not it), a notify handler may need services and is covariant in
 * them, `provideHandler` leaves a handler that needs nothing, and
 * `superviseEffect` requires of its caller what the tree's plugins and
 * readiness checks need beyond the adapter's services (the Promise `supervise`
 * refuses them). Nothing here is meant to run; `consumer` is never called.
 */
import { Context, Effect, Layer, type Scope } from "effect"
import { supervise, superviseEffect, type Plugin, type Services } from "../../mod.ts"
import { provideHandler } from "../../plugins/seccomp/notify/handler.ts"
import { answer, SeccompLibrary, type NotifyHandler, type SeccompLibraryShape } from "../../plugins/seccomp/mod.ts"

/** True only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const same = <A, B>(_proof: Equals<A, B>): void => {}

/** The requirements of an Effect. */
type ServicesOf<T> = T extends Effect.Effect<unknown, unknown, infer R> ? R : never

/** Another service with libseccomp's shape: not SeccompLibrary. */
class Impostor extends Context.Service<Impostor, SeccompLibraryShape>()("test/Impostor") {}

/** A caller's service a plugin needs. */
class Stamp extends Context.Service<Stamp, { readonly value: string }>()("test/Stamp") {}
declare const stamping: Plugin<never, Stamp>

/** A caller's service a handler asks. */
class Permits extends Context.Service<Permits, { readonly syscall: (name: string) => boolean }>()("test/Permits") {}

export const consumer = (library: SeccompLibraryShape): void => {
  // Yielding the tag gives the shape; requiring it names the tag.
  const version = Effect.gen(function*() {
    return (yield* SeccompLibrary).version()
  })
  same<ServicesOf<typeof version>, SeccompLibrary>(true)
  same<Equals<SeccompLibrary, SeccompLibraryShape>, false>(true)
  const provided: Effect.Effect<unknown> = Effect.provide(version, Layer.succeed(SeccompLibrary, library))
  void provided
  // @ts-expect-error a service of the same shape does not meet a SeccompLibrary requirement
  const wrong: Effect.Effect<unknown, never, Impostor> = version
  void wrong

  // A handler may need services; one that needs none is a handler of any services (covariant).
  const byService: NotifyHandler<Permits> = (n) =>
    Effect.gen(function*() {
      const permits = yield* Permits
      return permits.syscall(n.name) ? answer.allow() : answer.fail("EACCES")
    })
  const plain: NotifyHandler = () => answer.allow()
  const widened: NotifyHandler<Permits> = plain
  void widened
  // @ts-expect-error a handler that needs Permits is not a handler that needs nothing
  const unprovided: NotifyHandler = byService
  void unprovided

  // Providing the context leaves a handler that needs nothing.
  const ready = provideHandler(byService, Context.make(Permits, { syscall: () => true }))
  same<typeof ready, NotifyHandler>(true)
  // @ts-expect-error the context must hold the services the handler needs
  provideHandler(byService, Context.make(Impostor, library))
}

export const supervising = async (): Promise<void> => {
  // A tree whose plugins need only the adapter's services requires nothing more.
  const plain = superviseEffect({ name: "app", children: [{ name: "a", argv: ["true"] }] })
  same<ServicesOf<typeof plain>, Services | Scope.Scope>(true)
  // A plugin's service, at any depth, is the caller's to provide; so is a readiness check's.
  const stamped = superviseEffect({ name: "app", children: [{ name: "pool", children: [{ name: "a", argv: ["true"], plugins: [stamping] }] }] })
  same<ServicesOf<typeof stamped>, Services | Stamp | Scope.Scope>(true)
  const checked = superviseEffect({
    name: "app",
    children: [{ name: "a", argv: ["true"], ready: { kind: "effect", check: () => Effect.asVoid(Effect.service(Permits)) } }]
  })
  same<Extract<ServicesOf<typeof checked>, Permits>, Permits>(true)
  // @ts-expect-error the Promise API provides only the adapter's services
  await supervise({ name: "app", children: [{ name: "a", argv: ["true"], plugins: [stamping] }] })
}
