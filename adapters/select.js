// @ts-self-types="./select.d.ts"
/**
 * Picks the adapter for the runtime this module runs in, for the root entry
 * `kakoi` when it runs from source (JSR, Deno, a checkout).
 *
 * Plain JavaScript on purpose: a type checker follows every import it can
 * see, so tsc (Node's types) would reach Deno's and Bun's globals and
 * `deno check` Bun's; select.d.ts gives them one runtime-neutral type instead.
 * The specifiers stay static strings so Deno, JSR and bundlers can see them.
 */
export const adapter =
  "Deno" in globalThis
    ? await import("./deno/mod.ts")
    : "Bun" in globalThis
      ? await import("./bun/mod.ts")
      : await import("./node/web.ts")
