/** Policies that hold (bypasses as real runs) on Deno. */
import { describe } from "vitest"
import { run } from "../../adapters/deno/mod.ts"
import { seccompHoldSuite } from "../conformance/seccomp-hold.ts"

describe("policies hold on Deno", () => seccompHoldSuite({ run }))
