/**
 * Where an adapter finds its launcher entry: next to its own file, with its
 * own extension, `.ts` when kakoi runs from source and `.js` in the built npm
 * package (Node does not strip types under node_modules, so the package ships JS).
 */

/**
 * The URL (href) of module `name` in the same folder as `base`, with `base`'s extension.
 *
 * @example
 * ```ts
 * import { siblingModule } from "./sibling.ts"
 *
 * siblingModule("launcher", "file:///pkg/dist/adapters/node/runtime.js") // "file:///pkg/dist/adapters/node/launcher.js"
 * ```
 */
export const siblingModule = (name: string, base: string): string => {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(base).pathname)?.[0] ?? ".ts"
  return new URL(`./${name}${extension}`, base).href
}
