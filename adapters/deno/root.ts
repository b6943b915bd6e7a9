/**
 * The root entry `kakoi` on Deno as the npm package resolves it (the "deno"
 * export condition): the portable API, with web streams, and the supervisor.
 */
export * from "../portable.ts"
export { layer, learn, loadPolicy, run, runEffect, spawn, supervise, superviseEffect, trapInProcess } from "./mod.ts"
