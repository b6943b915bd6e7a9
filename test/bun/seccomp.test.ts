/** The seccomp conformance suite on Bun. */
import { describe } from "vitest"
import { run } from "../../adapters/bun/mod.ts"
import { seccompSuite } from "../conformance/seccomp.ts"

describe("seccomp on Bun", () => seccompSuite({ run }))
