/**
 * Lays out a program block (format.ts): the ops first, then the data they
 * point at, and remembers where every pointer sits so `image(address)` can
 * write absolute addresses for wherever the block is mapped. The layout is
 * built once per spawn; `image` only copies it and patches the pointers.
 */
import { opField, opSize, slotCount, type Mode } from "./format.ts"

/**
 * A pointer to `data` bytes into the data area.
 *
 * @example
 * ```ts
 * const tenth: DataRef = { data: 10 }
 * ```
 */
export interface DataRef {
  readonly data: number
}

/**
 * An address `scratch` bytes into the interpreter's scratch area (its stack).
 *
 * @example
 * ```ts
 * const readBuffer: ScratchRef = { scratch: 0 }
 * ```
 */
export interface ScratchRef {
  readonly scratch: number
}

/**
 * The value of slot `slot` (format.ts), e.g. a pid saved by an earlier op.
 *
 * @example
 * ```ts
 * const pid: SlotRef = { slot: 3 }
 * ```
 */
export interface SlotRef {
  readonly slot: number
}

/**
 * One syscall argument.
 *
 * @example
 * ```ts
 * const args: ReadonlyArray<Arg> = [3, { scratch: 0 }, 4093n]
 * ```
 */
export type Arg = bigint | number | DataRef | ScratchRef | SlotRef

/**
 * An op as the compiler states it, with what a failure of it means to the parent.
 *
 * @example
 * ```ts
 * const op: OpSpec = { nr: 112, mode: 1, args: [], reportFd: 3, stage: "setsid", subject: "new session" }
 * ```
 */
export interface OpSpec {
  readonly nr: number
  readonly mode: Mode
  readonly args: ReadonlyArray<Arg>
  readonly reportFd: number
  readonly expected?: number
  readonly exitStatus?: number
  /** The op index a jump goes to. */
  readonly target?: number
  /** The slot the result is stored in. */
  readonly saveSlot?: number
  /** LaunchFailure.stage and .subject when this op fails. */
  readonly stage: string
  readonly subject: string
}

/**
 * A finished layout.
 *
 * @example
 * ```ts
 * declare const laid: Laid
 * laid.image(0x7f0000000000n).byteLength === laid.size // true
 * ```
 */
export interface Laid {
  readonly size: number
  readonly ops: ReadonlyArray<OpSpec>
  readonly image: (address: bigint) => Uint8Array
}

const align8 = (offset: number): number => (offset + 7) & ~7

const encoder = new TextEncoder()

/** Bytes of `text` in UTF-8, as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
const utf8Length = (text: string): number => {
  let length = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) length += 1
    else if (code < 0x800) length += 2
    else if (code >= 0xd800 && code < 0xdc00 && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      length += 4
      index++
    } else length += 3
  }
  return length
}

const twoTo32 = 0x1_0000_0000

/**
 * Stores `value` as a little-endian u64 (two's complement when negative). Safe
 * integers go as two u32 halves: a BigInt per argument was most of a spawn's
 * layout time (hundreds of them).
 */
const setWord = (view: DataView, at: number, value: bigint | number): void => {
  if (typeof value === "number" && Number.isSafeInteger(value)) {
    view.setUint32(at, value >>> 0, true)
    view.setUint32(at + 4, Math.floor(value / twoTo32) >>> 0, true)
  } else view.setBigUint64(at, BigInt.asUintN(64, BigInt(value)), true)
}

const slotNumber = (slot: number): number => {
  if (!Number.isInteger(slot) || slot < 0 || slot >= slotCount) throw new Error(`There is no slot ${slot} (0 to ${slotCount - 1})`)
  return slot
}

/**
 * Collects ops and data, then produces the block.
 *
 * @example
 * ```ts
 * const layout = new BlockLayout()
 * const path = layout.string("/tmp")
 * layout.op({ nr: 80, mode: 1, args: [path], reportFd: 3, stage: "chdir", subject: "/tmp" })
 * layout.finish().image(0x10000n).byteLength // 64 + 8
 * ```
 */
export class BlockLayout {
  readonly #ops: Array<OpSpec> = []
  readonly #chunks: Array<{ readonly offset: number; readonly bytes: Uint8Array }> = []
  /** Strings are encoded straight into the finished block (one spawn lays out dozens). */
  readonly #strings: Array<{ readonly offset: number; readonly text: string }> = []
  /** Pointers inside the data area: [data offset of the pointer, data offset it points to]. */
  readonly #dataPointers: Array<readonly [number, number]> = []
  #dataSize = 0

  /** Adds an op; returns its index. */
  op(spec: OpSpec): number {
    if (spec.args.length > 6) throw new Error(`An op has at most 6 arguments, got ${spec.args.length}`)
    this.#ops.push(spec)
    return this.#ops.length - 1
  }

  /** Points the jump op at `index` to op `target` (for jumps forward, emitted before their target). */
  jumpTo(index: number, target: number): void {
    const spec = this.#ops[index]
    if (spec === undefined) throw new Error(`There is no op ${index} to point at op ${target}`)
    this.#ops[index] = { ...spec, target }
  }

  /** The index the next op will get. */
  get nextOp(): number {
    return this.#ops.length
  }

  /** Places `bytes` (8-aligned) in the data area. */
  bytes(bytes: Uint8Array): DataRef {
    const offset = align8(this.#dataSize)
    this.#chunks.push({ offset, bytes })
    this.#dataSize = offset + bytes.byteLength
    return { data: offset }
  }

  /** A NUL-terminated UTF-8 string (the caller has refused inner NULs; the block starts zeroed). */
  string(text: string): DataRef {
    const offset = align8(this.#dataSize)
    this.#strings.push({ offset, text })
    this.#dataSize = offset + utf8Length(text) + 1
    return { data: offset }
  }

  /** A NULL-terminated table of pointers (argv, envp). */
  pointerTable(entries: ReadonlyArray<DataRef>): DataRef {
    const table = this.bytes(new Uint8Array(8 * (entries.length + 1)))
    entries.forEach((entry, index) => this.#dataPointers.push([table.data + 8 * index, entry.data]))
    return table
  }

  /** A pointer stored at `at` (a data offset) to `target`, e.g. sock_fprog.filter. */
  pointerAt(at: number, target: DataRef): void {
    this.#dataPointers.push([at, target.data])
  }

  finish(): Laid {
    const ops = [...this.#ops]
    const dataStart = ops.length * opSize
    const size = dataStart + this.#dataSize
    const template = new Uint8Array(size)
    const view = new DataView(template.buffer)
    /** Absolute block offsets of pointers, and the block offsets they point to. */
    const pointers: Array<readonly [number, number]> = this.#dataPointers.map(([at, target]) => [dataStart + at, dataStart + target])
    ops.forEach((spec, index) => {
      const base = index * opSize
      view.setUint32(base + opField.nr, spec.nr, true)
      view.setUint8(base + opField.mode, spec.mode)
      view.setUint16(base + opField.reportFd, spec.reportFd, true)
      view.setInt32(base + opField.expected, spec.expected ?? 0, true)
      view.setUint16(base + opField.exitStatus, spec.target ?? spec.exitStatus ?? 0, true)
      view.setUint8(base + opField.saveSlot, slotNumber(spec.saveSlot ?? 0))
      let scratchArgs = 0
      let slotArgs = 0
      spec.args.forEach((arg, slot) => {
        const at = base + opField.args + 8 * slot
        if (typeof arg === "bigint" || typeof arg === "number") setWord(view, at, arg)
        else if ("scratch" in arg) {
          scratchArgs |= 1 << slot
          setWord(view, at, arg.scratch)
        } else if ("slot" in arg) {
          slotArgs |= 1 << slot
          setWord(view, at, slotNumber(arg.slot))
        } else pointers.push([at, dataStart + arg.data])
      })
      view.setUint8(base + opField.scratchArgs, scratchArgs)
      view.setUint8(base + opField.slotArgs, slotArgs)
    })
    for (const chunk of this.#chunks) template.set(chunk.bytes, dataStart + chunk.offset)
    for (const { offset, text } of this.#strings) encoder.encodeInto(text, template.subarray(dataStart + offset))
    const image = (address: bigint): Uint8Array => {
      if (address <= 0n || address % 8n !== 0n) throw new RangeError(`A program block needs an 8-aligned address, got 0x${address.toString(16)}`)
      const bytes = template.slice()
      const patch = new DataView(bytes.buffer)
      // address + target in u32 halves, no BigInt per pointer (exact: the low half's carry goes into the high one).
      const low = Number(address & 0xffff_ffffn)
      const high = Number(address >> 32n)
      for (const [at, target] of pointers) {
        const sum = low + target
        patch.setUint32(at, sum >>> 0, true)
        patch.setUint32(at + 4, (high + Math.floor(sum / twoTo32)) >>> 0, true)
      }
      return bytes
    }
    return { size, ops, image }
  }
}
