// The import map a user of kakoi has: `kakoi` and `kakoi/<subpath>` resolve as
// deno.json's exports say (the npm package names the same subpaths). Doc
// examples and the package check import kakoi by that specifier, so both build
// their map here. Run directly, it prints a deno.json for a consumer project.
import { readFileSync } from "node:fs"
import { pathToFileURL } from "node:url"

/**
 * `kakoi` and each `kakoi/<subpath>` mapped to the file deno.json exports for it.
 * @param {string} root the checkout
 * @returns {Record<string, string>}
 */
export const kakoiImports = (root) => {
  const { exports } = JSON.parse(readFileSync(`${root}/deno.json`, "utf8"))
  const base = pathToFileURL(`${root}/`)
  return Object.fromEntries(
    Object.entries(exports).map(([path, file]) => [path === "." ? "kakoi" : `kakoi/${path.slice(2)}`, new URL(file, base).href]),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // "manual": bare imports in the sources (effect, koffi) resolve from the checkout's node_modules.
  console.log(JSON.stringify({ nodeModulesDir: "manual", imports: kakoiImports(process.cwd()) }))
}
