/**
 * A failed effect `Schema` decode as a `PolicyError` at the JSON path of its
 * first problem (`rules[1].args[0].op`, `syscalls[3].includes.caps`), shared
 * by kakoi's own format and the Docker/OCI reader.
 */
import type { Schema } from "effect"
import { SchemaIssue } from "effect"
import { PolicyError } from "../errors.ts"

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * `["rules", 1, "args", 0, "op"]` → `rules[1].args[0].op`.
 *
 * @example
 * ```ts
 * jsonPath(["syscalls", 3, "includes"]) // "syscalls[3].includes"
 * ```
 */
export const jsonPath = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>): string | undefined =>
  path.length === 0
    ? undefined
    : path.map((segment) => (typeof segment === "object" ? segment.key : segment)).map((key, i) => (typeof key === "number" || /^\d+$/.test(String(key)) ? `[${String(key)}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("")

/**
 * The `PolicyError` for a schema failure: `Unexpected key` for an excess property, else the schema's words.
 *
 * @example
 * ```ts
 * const result = decoder(input)
 * if (Result.isFailure(result)) throw shapeError(result.failure)
 * ```
 */
export const shapeError = (error: Schema.SchemaError): PolicyError => {
  const [first] = formatIssue(error.issue).issues
  const detail = first?.message === "Expected no excess property" ? "Unexpected key" : first?.message
  return new PolicyError({ reason: "InvalidJson", path: jsonPath(first?.path ?? []), detail: detail ?? "Malformed policy" })
}
