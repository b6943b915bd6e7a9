/**
 * Reading policy files exactly. `JSON.parse` keeps the last of two equal keys
 * (`"rules": [...], "rules": []` silently becomes an allow-all policy) and
 * rounds integers beyond 2^53 (an error would then quote a number the user
 * never wrote). This small parser rejects duplicate keys, saying where, and
 * reads such integers as bigints, exactly as written (and other numbers that
 * large, `1e400` or `12345678901234567890.5`, as their text). Everything else
 * is what JSON.parse gives.
 */
import { PolicyError } from "./errors.ts"

/** Deeper nesting than any policy has: a bound, so hostile input cannot exhaust the stack. */
const maxDepth = 256

const isDigit = (code: number): boolean => code >= 48 && code <= 57

class Reader {
  index = 0
  readonly text: string
  constructor(text: string) {
    this.text = text
  }

  where(at: number = this.index): string {
    const before = this.text.slice(0, at)
    const line = before.split("\n").length
    return `line ${line}, column ${at - before.lastIndexOf("\n")}`
  }

  fail(detail: string, at: number = this.index): never {
    throw new PolicyError({ reason: "InvalidJson", path: undefined, detail: `Cannot parse JSON: ${detail} at ${this.where(at)}` })
  }

  space(): void {
    while (this.index < this.text.length && " \t\n\r".includes(this.text[this.index] ?? "")) this.index++
  }

  expect(char: string): void {
    this.space()
    if (this.text[this.index] !== char) this.fail(`expected "${char}"${this.index < this.text.length ? `, found ${JSON.stringify(this.text[this.index])}` : ", found the end"}`)
    this.index++
  }

  value(path: string, depth: number): unknown {
    if (depth > maxDepth) this.fail(`nested deeper than ${maxDepth} levels`)
    this.space()
    const char = this.text[this.index]
    if (char === "{") return this.object(path, depth)
    if (char === "[") return this.array(path, depth)
    if (char === '"') return this.string()
    if (char === "-" || isDigit(char?.charCodeAt(0) ?? 0)) return this.number()
    for (const [word, result] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length
        return result
      }
    }
    return this.fail(char === undefined ? "unexpected end" : `unexpected ${JSON.stringify(char)}`)
  }

  object(path: string, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {}
    const seen = new Map<string, number>()
    this.index++
    this.space()
    if (this.text[this.index] === "}") {
      this.index++
      return result
    }
    for (;;) {
      this.space()
      const at = this.index
      if (this.text[at] !== '"') this.fail("expected a key in double quotes")
      const key = this.string()
      const keyPath = path === "" ? key : `${path}.${key}`
      const first = seen.get(key)
      if (first !== undefined) {
        throw new PolicyError({ reason: "DuplicateKey", path: keyPath, value: key, detail: `at ${this.where(at)}; first at ${this.where(first)}` })
      }
      seen.set(key, at)
      this.expect(":")
      // defineProperty: a "__proto__" key is data, as with JSON.parse.
      Object.defineProperty(result, key, { value: this.value(keyPath, depth + 1), enumerable: true, writable: true, configurable: true })
      this.space()
      if (this.text[this.index] === ",") {
        this.index++
        continue
      }
      this.expect("}")
      return result
    }
  }

  array(path: string, depth: number): Array<unknown> {
    const result: Array<unknown> = []
    this.index++
    this.space()
    if (this.text[this.index] === "]") {
      this.index++
      return result
    }
    for (;;) {
      result.push(this.value(`${path}[${result.length}]`, depth + 1))
      this.space()
      if (this.text[this.index] === ",") {
        this.index++
        continue
      }
      this.expect("]")
      return result
    }
  }

  string(): string {
    const start = this.index
    this.index++
    for (;;) {
      const char = this.text[this.index]
      if (char === undefined) return this.fail("unterminated string", start)
      if (char === '"') break
      if (char === "\\") this.index++
      else if (char.charCodeAt(0) < 0x20) this.fail("control character in a string (escape it)")
      this.index++
    }
    this.index++
    // The span is a complete JSON string: its escapes are JSON.parse's to decode.
    try {
      return JSON.parse(this.text.slice(start, this.index)) as string
    } catch {
      return this.fail("invalid escape in a string", start)
    }
  }

  number(): number | bigint | string {
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.index, this.index + 400))
    if (match === null) return this.fail("invalid number")
    const [written, fraction, exponent] = match
    this.index += written.length
    const value = Number(written)
    if (Math.abs(value) < 2 ** 53) return value
    // Beyond 2^53 a float would be rounded: an integer is read exactly, anything else is kept as written
    // (a string), so a message quotes the user's text and never a rounded number.
    return fraction === undefined && exponent === undefined ? BigInt(written) : written
  }
}

/**
 * Parses JSON text like `JSON.parse`, but fails with a `PolicyError` on a
 * duplicate key (reason `DuplicateKey`, with its JSON path and line), and
 * returns integers beyond 2^53 as bigints (other numbers that large as their text).
 *
 * @example
 * ```ts
 * import { parseJsonText } from "./json-text.ts"
 *
 * parseJsonText('{"value": 18446744073709551615}') // { value: 18446744073709551615n }
 * try {
 *   parseJsonText('{"rules": [], "rules": []}')
 * } catch (error) {
 *   console.error((error as Error).message) // 'Invalid seccomp policy at rules: Key "rules" appears twice in one object (at line 1, column 15; ...'
 * }
 * ```
 */
export const parseJsonText = (text: string): unknown => {
  const reader = new Reader(text)
  const result = reader.value("", 0)
  reader.space()
  if (reader.index < text.length) reader.fail(`unexpected ${JSON.stringify(text[reader.index])} after the value`)
  return result
}
