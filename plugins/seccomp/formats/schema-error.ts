/**
 * A failed effect `Schema` decode as a `PolicyError` at the JSON path of its
 * first problem (`rules[1].args[0].op`, `syscalls[3].includes.caps`), shared
 * by kakoi's own format and the Docker/OCI reader.
 */
import type { Schema } from "effect"
import { SchemaIssue } from "effect"
import { jsonPath } from "../../../core/decode.ts"
import { PolicyError } from "../errors.ts"

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * The `PolicyError` for a schema failure: `Unexpected key` for an excess property, else the schema's words.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { decodeOciShape } from "./oci-json.ts"
 * import { shapeError } from "./schema-error.ts"
 *
 * const result = decodeOciShape({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ nmes: ["mkdir"], action: "SCMP_ACT_ERRNO" }] })
 * if (Result.isFailure(result)) shapeError(result.failure).message // 'Invalid seccomp policy at syscalls[0].nmes: Unexpected key'
 * ```
 */
export const shapeError = (error: Schema.SchemaError): PolicyError => {
  const [first] = formatIssue(error.issue).issues
  const detail = first?.message === "Expected no excess property" ? "Unexpected key" : first?.message
  return new PolicyError({ reason: "InvalidJson", path: jsonPath((first?.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment))), detail: detail ?? "Malformed policy" })
}
