/** The examples conformance suite on Node: each example run by its npm script. */
import { examplesSuite } from "../conformance/examples.ts"

examplesSuite("Node", process.execPath)
