/** Policies that hold (bypasses as real runs) on Bun. */
import { describe } from "vitest"
import { run } from "../../adapters/bun/mod.ts"
import { seccompHoldSuite } from "../conformance/seccomp-hold.ts"

describe("policies hold on Bun", () => seccompHoldSuite({ run }))
