/** The examples conformance suite on Deno: each example run by its npm script. */
import { examplesSuite } from "../conformance/examples.ts"

examplesSuite("Deno", Deno.execPath())
