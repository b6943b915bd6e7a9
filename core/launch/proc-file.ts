/**
 * Small kernel text files (/proc/<pid>/status, .../children, .../limits) as
 * the launcher reads them, some on a spawn's critical path: one open, reads
 * into one buffer kept for every call and one decoder, no allocation beyond
 * the text. (kernel.ts's readText serves the fences' host probes through the
 * Kernel port, with a buffer per call.)
 */
import { constants } from "../arch/generic.ts"
import { cString, type Libc } from "../libc.ts"

/** Where every read lands: the files read here are a few hundred bytes; a longer one takes more reads. */
const chunk = new Uint8Array(new ArrayBuffer(4096))
const decoder = new TextDecoder()

/**
 * The whole of the file at `path`, or undefined when it cannot be opened or read.
 *
 * @example
 * ```ts
 * import { readProcFile } from "./proc-file.ts"
 *
 * declare const libc: import("../libc.ts").Libc
 * readProcFile(libc, "/proc/self/status")?.includes("Pid:") // true
 * ```
 */
export const readProcFile = (libc: Libc, path: string): string | undefined => {
  const fd = Number(libc.call.open(cString(path), constants.O_RDONLY | constants.O_CLOEXEC, 0))
  if (fd < 0) return undefined
  let text = ""
  try {
    for (;;) {
      const count = Number(libc.call.read(fd, chunk, chunk.byteLength))
      if (count < 0) {
        decoder.decode() // leaves no half-decoded byte for the next file
        return undefined
      }
      if (count === 0) return text + decoder.decode()
      text += decoder.decode(chunk.subarray(0, count), { stream: true })
    }
  } finally {
    libc.call.close(fd)
  }
}
