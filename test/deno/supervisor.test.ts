/** The supervisor conformance suite on Deno (--allow-read only for the fixture's dynamic import of the adapter). */
import { layer, supervise, superviseEffect } from "../../adapters/deno/mod.ts"
import { supervisorSuite } from "../conformance/supervisor.ts"

supervisorSuite({
  runtime: "Deno",
  supervise,
  superviseEffect,
  layer,
  fixture: [Deno.execPath(), "run", "--no-prompt", "--allow-ffi", "--allow-run", "--allow-read"]
})
