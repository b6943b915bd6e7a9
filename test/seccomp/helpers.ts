/** Shared helpers for the seccomp tests: catching the synchronous `PolicyError` of `policy()`. */
import { PolicyError } from "../../plugins/seccomp/mod.ts"

/** The `PolicyError` `run` throws; fails the test when it throws nothing or something else. */
export const policyError = (run: () => unknown): PolicyError => {
  try {
    run()
  } catch (error) {
    if (error instanceof PolicyError) return error
    throw error
  }
  throw new Error("expected a PolicyError, got none")
}
