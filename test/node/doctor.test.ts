/** The doctor() conformance suite on Node. */
import { doctorSuite } from "../conformance/doctor.ts"

doctorSuite("Node")
