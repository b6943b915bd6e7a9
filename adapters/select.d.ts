/** The types of select.js: every adapter satisfies the portable API. */
import type { Adapter } from "./portable.ts"

/** The adapter for the runtime this module runs in. */
export declare const adapter: Adapter
