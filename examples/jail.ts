/**
 * The seed's second example, the jail: a shell in which `mkdir` kills the
 * process that calls it, while everything else works. Runs under Node, Deno
 * and Bun (`example:jail:deno`, `example:jail:bun`):
 *
 *   npm run example:jail                                   # an interactive shell
 *   npm run example:jail -- -c 'mkdir /tmp/x; echo still here'
 */
import { policy, seccomp, spawn } from "../mod.ts"

const jail = policy((rule) => rule.kill("mkdir", "mkdirat"), { default: "allow" })

const shell = await spawn(["/bin/sh", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, PS1: "jail$ " },
  plugins: [seccomp(jail)]
})
const result = await shell.result
process.exitCode = result.exitCode ?? 128
