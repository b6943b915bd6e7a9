// @ts-self-types="./runtime-libc.d.ts"
/**
 * libc bound by the FFI of the runtime this module runs in, loaded on first
 * use. Plain JavaScript for the reason adapters/select.js gives: a type
 * checker would follow every branch into the other runtimes' globals. The
 * specifiers stay static strings so Deno, JSR and bundlers can see them.
 */
export const runtimeLibc = async () =>
  "Deno" in globalThis
    ? (await import("../../../adapters/deno/native.ts")).denoLibc()
    : "Bun" in globalThis
      ? (await import("../../../adapters/bun/native.ts")).bunLibc()
      : (await import("../../../adapters/node/native.ts")).nodeLibc()
