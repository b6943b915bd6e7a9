/** The Landlock ruleset conformance suite on Deno (the fixture reads files and calls libc). */
import { landlockFixture, landlockSuite } from "../conformance/landlock.ts"

landlockSuite("Deno", (json) => [Deno.execPath(), "run", "--no-prompt", "--allow-ffi", "--allow-read", "--allow-env", landlockFixture, "deno", json])
