/**
 * Resource limits for supervised children: the `rlimit` plugin, its CLI
 * parser and the Linux resource table.
 *
 * @example
 * ```ts
 * import { rlimit } from "kakoi/rlimit"
 *
 * const plugins = [rlimit({ nofile: 64, core: 0, as: 512n * 1024n * 1024n })]
 * ```
 */
export { RlimitError, type RlimitErrorReason } from "./error.ts"
export { type RlimitAmount, type RlimitOptions, type RlimitSetting, type RlimitStep, rlimitStep, rlimitSteps } from "./limits.ts"
export { parseRlimit, parseRlimits } from "./parse.ts"
export { rlimit } from "./plugin.ts"
export {
  isRlimitResource,
  type RlimitResource,
  rlimitResourceNumber,
  rlimitResources,
  type RlimitUnit,
  rlimitUnit,
  unknownResource
} from "./resources.ts"
