/** The libseccomp binding conformance suite on Deno (Deno.dlopen). */
import { make } from "../../adapters/deno/libseccomp.ts"
import { libseccompSuite } from "../conformance/libseccomp.ts"

libseccompSuite("Deno.dlopen", make)
