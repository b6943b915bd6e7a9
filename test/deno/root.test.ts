/** The root entry on Deno picks kakoi/deno. */
import * as deno from "../../adapters/deno/mod.ts"
import { rootSuite } from "../conformance/root.ts"

rootSuite("Deno", deno)
