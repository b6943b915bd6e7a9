/** The inherited-state conformance suite on Bun. */
import { inheritSuite, kakoiRunFixture } from "../conformance/inherit.ts"

inheritSuite({ runtime: "Bun", supervisor: (mode) => [process.execPath, kakoiRunFixture, "bun", mode], runtimeKeepsIgnoredSignals: true })
