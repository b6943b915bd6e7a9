/** The Docker/Podman profile conformance suite on Deno. */
import { describe } from "vitest"
import { run } from "../../adapters/deno/mod.ts"
import { profilesSuite } from "../conformance/profiles.ts"

describe("Docker and Podman profiles on Deno", () => profilesSuite({ run }))
