/** The seccomp conformance suite on Deno. */
import { describe } from "vitest"
import { run } from "../../adapters/deno/mod.ts"
import { seccompSuite } from "../conformance/seccomp.ts"

describe("seccomp on Deno", () => seccompSuite({ run }))
