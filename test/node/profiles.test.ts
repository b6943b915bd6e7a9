/** The Docker/Podman profile conformance suite on Node. */
import { describe } from "vitest"
import { run } from "../../adapters/node/mod.ts"
import { profilesSuite } from "../conformance/profiles.ts"

describe("Docker and Podman profiles on Node", () => profilesSuite({ run }))
