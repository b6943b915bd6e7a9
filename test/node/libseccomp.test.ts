/** The libseccomp binding conformance suite on Node (koffi), plus a malloc check that needs koffi's struct returns. */
import { createRequire } from "node:module"
import { Effect } from "effect"
import { expect, it } from "vitest"
import { make } from "../../adapters/node/libseccomp.ts"
import { libseccompSuite } from "../conformance/libseccomp.ts"

libseccompSuite("koffi", make)

const library = Effect.runSync(make())
const native = library.archNative()

it("frees the name libseccomp mallocs for every syscall number it resolves", () => {
  // glibc's own accounting: bytes currently allocated with malloc, across arenas.
  const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi")
  const Mallinfo2 = koffi.struct({
    arena: "size_t", ordblks: "size_t", smblks: "size_t", hblks: "size_t", hblkhd: "size_t",
    usmblks: "size_t", fsmblks: "size_t", uordblks: "size_t", fordblks: "size_t", keepcost: "size_t"
  })
  const mallinfo2 = koffi.load("libc.so.6").func("mallinfo2", Mallinfo2, []) as () => { uordblks: number }
  library.syscallResolveNum(native, 0) // warm up
  const growth = (): number => {
    const before = mallinfo2().uordblks
    for (let i = 0; i < 100_000; i++) library.syscallResolveNum(native, i % 300)
    return mallinfo2().uordblks - before
  }
  // Without free() each round grows by ~2.6 MB (100k names of ~10 bytes in 32-byte chunks). The count is the
  // whole process's: the runtime's own threads allocate meanwhile (3.9 MB once, in a loaded full run), so the
  // least of three rounds is taken, which a leak still puts at ~2.6 MB.
  expect(Math.min(growth(), growth(), growth())).toBeLessThan(256 * 1024)
})

