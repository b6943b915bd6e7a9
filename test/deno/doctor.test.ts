/** The doctor() conformance suite on Deno. */
import { doctorSuite } from "../conformance/doctor.ts"

doctorSuite("Deno")
