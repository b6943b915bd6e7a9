/**
 * The published JSON Schema of kakoi's policy format (schema/policy.schema.json)
 * says what the decoder accepts: every key it lists is one policy() takes at
 * that place, a key it does not list is refused there, and its enums are the
 * words kakoi knows.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { actionNames, operators } from "../../plugins/seccomp/actions.ts"
import { floorEntries } from "../../plugins/seccomp/floor.ts"
import { archNames, policy, PolicyError } from "../../plugins/seccomp/mod.ts"

interface Node {
  readonly properties?: Record<string, unknown>
  readonly oneOf?: ReadonlyArray<Node>
  readonly enum?: ReadonlyArray<unknown>
  readonly items?: Node
}
const schema = JSON.parse(readFileSync(new URL("../../schema/policy.schema.json", import.meta.url), "utf8")) as Node & { readonly $defs: Record<string, Node> }
const keys = (node: Node | undefined): Array<string> => Object.keys(node?.properties ?? {}).sort()

/** Whether policy() refuses `input` for an unexpected key. */
const unexpected = (input: unknown): boolean => {
  try {
    policy(input as never)
    return false
  } catch (error) {
    return error instanceof PolicyError && error.problem === "Unexpected key"
  }
}

describe("schema/policy.schema.json", () => {
  const rule = { action: "errno", errno: "EPERM", syscalls: ["mkdir"] }
  const arg = { index: 0, op: "==", value: 1 }
  const places: ReadonlyArray<readonly [string, Node | undefined, (key: string) => unknown]> = [
    ["the policy", schema, (key) => ({ default: "allow", [key]: undefined })],
    ["attributes", schema.properties?.attributes as Node, (key) => ({ default: "allow", attributes: { [key]: undefined } })],
    ["a rule", schema.$defs.rule, (key) => ({ default: "allow", rules: [{ ...rule, [key]: undefined }] })],
    ["an argument", schema.$defs.arg, (key) => ({ default: "allow", rules: [{ ...rule, args: [{ ...arg, [key]: undefined }] }] })],
    ["the floor", (schema.properties?.floor as Node).oneOf?.[1], (key) => ({ default: "allow", floor: { [key]: undefined } })]
  ]

  it.each(places)("lists the keys policy() takes in %s", (_, node, place) => {
    for (const key of keys(node)) expect(unexpected(place(key)), key).toBe(false)
    expect(unexpected(place("nonsense"))).toBe(true)
  })

  it("lists kakoi's actions, operators, architectures and floor entries", () => {
    expect(new Set(schema.$defs.action?.oneOf?.[0]?.enum)).toEqual(new Set(actionNames.filter((name) => name !== "errno" && name !== "trace")))
    expect(schema.$defs.arg?.properties?.op).toEqual({ enum: operators })
    expect((schema.properties?.arches as Node).items?.enum).toEqual(archNames)
    expect(keys((schema.properties?.floor as Node).oneOf?.[1])).toEqual([...floorEntries].sort())
  })

  it("is shipped in the npm package", () => {
    const files = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { files: Array<string> }).files
    expect(files).toContain("schema")
  })
})
