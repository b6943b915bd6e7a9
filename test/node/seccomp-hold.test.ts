/** Policies that hold (bypasses as real runs) on Node. */
import { describe } from "vitest"
import { run } from "../../adapters/node/mod.ts"
import { seccompHoldSuite } from "../conformance/seccomp-hold.ts"

describe("policies hold on Node", () => seccompHoldSuite({ run }))
