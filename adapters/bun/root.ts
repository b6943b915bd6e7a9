/**
 * The root entry `kakoi` on Bun as the npm package resolves it (the "bun"
 * export condition): the portable API, with web streams, and the supervisor.
 */
export * from "../portable.ts"
export { layer, loadPolicy, run, runEffect, spawn, supervise, superviseEffect } from "./mod.ts"
