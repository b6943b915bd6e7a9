/**
 * Collecting what `run` hands back from a child's stdout and stderr: exact
 * bytes, UTF-8 text or lines, optionally both streams interleaved in arrival
 * order (`all`), never more than `maxBuffer` bytes per stream. A stream past
 * its cap is still read to its end (the child is being stopped, and must not
 * block on a full pipe meanwhile), but nothing more is kept.
 */
import { Effect, Stream } from "effect"
import type { Settings } from "./options.ts"
import { concatBytes as concat } from "../bytes.ts"

/**
 * One of the child's output streams.
 *
 * @example
 * ```ts
 * import type { OutputStream } from "./output.ts"
 *
 * const errors: OutputStream = "stderr"
 * ```
 */
export type OutputStream = "stdout" | "stderr"

/**
 * The output as collected: parts per stream and, when asked for, all parts in arrival order.
 *
 * @example
 * ```ts
 * import type { Collected } from "./output.ts"
 *
 * const quiet: Collected = { stdout: "", stderr: "", all: undefined, overflowed: undefined }
 * ```
 */
export interface Collected {
  readonly stdout: Uint8Array | string | ReadonlyArray<string>
  readonly stderr: Uint8Array | string | ReadonlyArray<string>
  readonly all: Uint8Array | string | ReadonlyArray<string> | undefined
  /** The first stream that went past `maxBuffer`, if one did. */
  readonly overflowed: OutputStream | undefined
}


type Part = Uint8Array | string

/** Parts in the shape the settings ask for: one Uint8Array, one string, or the lines themselves. */
const shape = (parts: ReadonlyArray<Part>, settings: Pick<Settings, "encoding" | "lines">): Collected["stdout"] =>
  settings.encoding === "buffer" ? concat(parts as ReadonlyArray<Uint8Array>) : settings.lines ? (parts as ReadonlyArray<string>) : parts.join("")

/**
 * Read both streams to their end (an absent stream is empty), or until
 * `until` completes: then what is still to come is abandoned (a process that
 * left the child's group may hold a pipe open for ever). `onOverflow` runs
 * once, when the first stream goes past `maxBuffer`: it is how the caller
 * stops the child.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { defaultSettings } from "./options.ts"
 * import { collectOutput } from "./output.ts"
 *
 * const out = new Response("hi\n").body ?? undefined
 * const collected = await Effect.runPromise(collectOutput({ stdout: out, stderr: undefined }, { ...defaultSettings, all: true }, () => Effect.void, Effect.never))
 * collected.stdout // "hi\n"; collected.all // "hi\n"
 * ```
 */
export const collectOutput = <R>(
  sources: Readonly<Record<OutputStream, AsyncIterable<Uint8Array> | undefined>>,
  settings: Pick<Settings, "encoding" | "lines" | "all" | "maxBuffer">,
  onOverflow: (stream: OutputStream) => Effect.Effect<void>,
  until: Effect.Effect<void, never, R>
): Effect.Effect<Collected, never, R> =>
  // Neither stream is piped ("ignore", "inherit"): nothing to read, and no fibers to read it with.
  sources.stdout === undefined && sources.stderr === undefined
    ? Effect.succeed({ stdout: shape([], settings), stderr: shape([], settings), all: settings.all ? shape([], settings) : undefined, overflowed: undefined })
    : collectPiped(sources, settings, onOverflow, until)

const collectPiped = <R>(
  sources: Readonly<Record<OutputStream, AsyncIterable<Uint8Array> | undefined>>,
  settings: Pick<Settings, "encoding" | "lines" | "all" | "maxBuffer">,
  onOverflow: (stream: OutputStream) => Effect.Effect<void>,
  until: Effect.Effect<void, never, R>
): Effect.Effect<Collected, never, R> =>
  Effect.gen(function* () {
    const parts: Record<OutputStream, Array<Part>> = { stdout: [], stderr: [] }
    const all: Array<Part> = []
    let overflowed: OutputStream | undefined

    const read = (stream: OutputStream): Effect.Effect<void, never, R> => {
      const source = sources[stream]
      if (source === undefined) return Effect.void
      let kept = 0
      let full = false
      // The cap is on bytes, before decoding: a multi-byte character cut by it decodes as U+FFFD.
      const capped = (chunk: Uint8Array): Effect.Effect<Uint8Array> => {
        if (full) return Effect.succeed(chunk.subarray(0, 0))
        const room = settings.maxBuffer - kept
        if (chunk.byteLength <= room) {
          kept += chunk.byteLength
          return Effect.succeed(chunk)
        }
        full = true
        kept = settings.maxBuffer
        overflowed ??= stream
        return Effect.as(onOverflow(stream), chunk.subarray(0, room))
      }
      const keep = (part: Part): Effect.Effect<void> =>
        Effect.sync(() => {
          parts[stream].push(part)
          if (settings.all) all.push(part)
        })
      // A read error (the pipe went away) ends the stream like end-of-file: the exit is what counts.
      const bytes = Stream.fromAsyncIterable(source, (error) => error).pipe(
        Stream.ignore({ log: false }),
        Stream.interruptWhen(until),
        Stream.mapEffect(capped),
        Stream.filter((chunk) => chunk.byteLength > 0)
      )
      if (settings.encoding === "buffer") return Stream.runForEach(bytes, keep)
      const text = Stream.decodeText(bytes)
      return Stream.runForEach(settings.lines ? Stream.splitLines(text) : text, keep)
    }

    yield* Effect.all([read("stdout"), read("stderr")], { concurrency: "unbounded", discard: true })
    return {
      stdout: shape(parts.stdout, settings),
      stderr: shape(parts.stderr, settings),
      all: settings.all ? shape(all, settings) : undefined,
      overflowed
    }
  })
