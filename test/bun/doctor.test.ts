/** The doctor() conformance suite on Bun. */
import { doctorSuite } from "../conformance/doctor.ts"

doctorSuite("Bun")
