/** The inherited-state conformance suite on Node (Node resets signal dispositions at startup). */
import { inheritSuite, kakoiRunFixture } from "../conformance/inherit.ts"

inheritSuite({ runtime: "Node", supervisor: (mode) => [process.execPath, kakoiRunFixture, "node", mode], runtimeKeepsIgnoredSignals: false })
