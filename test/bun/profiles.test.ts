/** The Docker/Podman profile conformance suite on Bun. */
import { describe } from "vitest"
import { run } from "../../adapters/bun/mod.ts"
import { profilesSuite } from "../conformance/profiles.ts"

describe("Docker and Podman profiles on Bun", () => profilesSuite({ run }))
