/** The examples conformance suite on Bun: each example run by its npm script. */
import { examplesSuite } from "../conformance/examples.ts"

examplesSuite("Bun", process.execPath)
