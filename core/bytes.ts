/** Byte helpers shared by the launcher's control channel and run()'s output collection. */

/**
 * The chunks joined into one array, in order.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts"
 *
 * concatBytes([Uint8Array.of(1, 2), Uint8Array.of(3)]) // Uint8Array [1, 2, 3]
 * ```
 */
export const concatBytes = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  return all
}
