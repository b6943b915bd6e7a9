/**
 * The root entry `kakoi` on Node as the npm package resolves it (the "node"
 * export condition): the portable API, with web streams, and the supervisor.
 */
export * from "../portable.ts"
export { layer, learn, loadPolicy, run, runEffect, spawn, supervise, superviseEffect, trapInProcess } from "./web.ts"
