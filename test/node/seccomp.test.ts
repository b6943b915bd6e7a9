/** The seccomp conformance suite on Node. */
import { describe } from "vitest"
import { run } from "../../adapters/node/mod.ts"
import { seccompSuite } from "../conformance/seccomp.ts"

describe("seccomp on Node", () => seccompSuite({ run }))
