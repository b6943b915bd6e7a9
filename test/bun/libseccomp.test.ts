/** The libseccomp binding conformance suite on Bun (bun:ffi). */
import { make } from "../../adapters/bun/libseccomp.ts"
import { libseccompSuite } from "../conformance/libseccomp.ts"

libseccompSuite("bun:ffi", make)
