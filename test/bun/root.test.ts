/** The root entry on Bun picks kakoi/bun. */
import * as bun from "../../adapters/bun/mod.ts"
import { rootSuite } from "../conformance/root.ts"

rootSuite("Bun", bun)
