/**
 * Compile rules of the mount steps, run in the mount namespace an "unshare"
 * step made: mount(2), mount_setattr(2) for read-only and back, mount points,
 * symlinks, a tmpfs that carries copies of mounts it covers (open_tree before
 * the tmpfs hides them, move_mount into it after), and pivot_root.
 */
import type { PreExecStep } from "../../steps.ts"
import type { Arg } from "../block.ts"
import { ProgramError } from "../errors.ts"
import { Mode, stepSlots } from "../format.ts"
import { refuseNul, type RuleContext, type RuleOp } from "./context.ts"

/**
 * A step these rules compile.
 *
 * @example
 * ```ts
 * const step: MountStep = { kind: "pivot-root", newRoot: "/tmp/root" }
 * ```
 */
export type MountStep = Extract<PreExecStep, { kind: "mount" | "mount-attributes" | "mount-point" | "symlink" | "tmpfs" | "pivot-root" }>

const directoryMode = 0o755
const fileMode = 0o644

/**
 * The ops of one mount step.
 *
 * @example
 * ```ts
 * import type { RuleContext } from "./context.ts"
 *
 * declare const context: RuleContext
 * mountOps(context, { kind: "pivot-root", newRoot: "/tmp/root" }).length // 4
 * ```
 */
export const mountOps = (context: RuleContext, step: MountStep): ReadonlyArray<RuleOp> => {
  const { table: { syscalls: sys, constants: c, structs }, layout, at } = context
  const text = (value: string, field: string): Arg => layout.string(refuseNul(value, `${at}.${field}`))
  const optional = (value: string | undefined, field: string): Arg => (value === undefined ? 0 : text(value, field))
  const attributes = (set: bigint, clear: bigint): Arg => {
    const bytes = new Uint8Array(structs.mountAttr.size)
    const view = new DataView(bytes.buffer)
    view.setBigUint64(structs.mountAttr.set, set, true)
    view.setBigUint64(structs.mountAttr.clear, clear, true)
    return layout.bytes(bytes)
  }
  const setattr = (path: Arg, recursive: boolean, set: bigint, clear: bigint, subject: string): RuleOp =>
    ({ nr: sys.mount_setattr, mode: Mode.check, args: [c.AT_FDCWD, path, recursive ? c.AT_RECURSIVE : 0, attributes(set, clear), structs.mountAttr.size], stage: step.kind, subject })
  // mkdir of a mount point that exists already is fine; any other failure shows at the mount onto it.
  const directory = (path: Arg, subject: string): RuleOp => ({ nr: sys.mkdirat, mode: Mode.ignore, args: [c.AT_FDCWD, path, directoryMode], stage: step.kind, subject })
  const file = (path: Arg, subject: string): ReadonlyArray<RuleOp> => {
    const fd = { slot: stepSlots.transient }
    return [
      { nr: sys.openat, mode: Mode.check, args: [c.AT_FDCWD, path, c.O_WRONLY | c.O_CREAT | c.O_CLOEXEC, fileMode], saveSlot: fd.slot, stage: step.kind, subject },
      { nr: sys.close, mode: Mode.check, args: [fd], stage: step.kind, subject }
    ]
  }
  switch (step.kind) {
    case "mount":
      return [{
        nr: sys.mount, mode: Mode.check,
        args: [optional(step.source, "source"), text(step.target, "target"), optional(step.fstype, "fstype"), step.flags, optional(step.data, "data")],
        stage: "mount", subject: step.target
      }]
    case "mount-attributes":
      return [setattr(text(step.path, "path"), step.recursive, step.set, step.clear, step.path)]
    case "mount-point":
      return step.type === "directory" ? [directory(text(step.path, "path"), step.path)] : file(text(step.path, "path"), step.path)
    case "symlink":
      return [{ nr: sys.symlinkat, mode: Mode.check, args: [text(step.target, "target"), c.AT_FDCWD, text(step.path, "path")], stage: "symlink", subject: step.path }]
    case "tmpfs": {
      const room = stepSlots.last - stepSlots.first + 1
      if (step.carry.length > room) throw new ProgramError({ reason: "Conflict", subject: `${at}.carry`, detail: `at most ${room} mounts carried into one tmpfs, got ${step.carry.length}` })
      const inside = (path: string, field: string): Arg => text(`${step.target}/${path}`, field)
      const clones = step.carry.map(({ source }, index): RuleOp => ({
        nr: sys.open_tree, mode: Mode.check, args: [c.AT_FDCWD, text(source, `carry[${index}].source`), c.OPEN_TREE_CLONE | c.AT_RECURSIVE | c.O_CLOEXEC],
        saveSlot: stepSlots.first + index, stage: "tmpfs", subject: source
      }))
      const carried = step.carry.flatMap(({ path, type }, index): ReadonlyArray<RuleOp> => {
        const point = inside(path, `carry[${index}].path`)
        const clone = { slot: stepSlots.first + index }
        return [
          ...(type === "directory" ? [directory(point, path)] : file(point, path)),
          { nr: sys.move_mount, mode: Mode.check, args: [clone, layout.string(""), c.AT_FDCWD, point, c.MOVE_MOUNT_F_EMPTY_PATH], stage: "tmpfs", subject: `${step.target}/${path}` },
          { nr: sys.close, mode: Mode.check, args: [clone], stage: "tmpfs", subject: path }
        ]
      })
      return [
        ...clones,
        { nr: sys.mount, mode: Mode.check, args: [layout.string("tmpfs"), text(step.target, "target"), layout.string("tmpfs"), step.flags, text(step.data, "data")], stage: "tmpfs", subject: step.target },
        ...step.directories.map((path, index) => directory(inside(path, `directories[${index}]`), path)),
        ...carried,
        ...step.links.map((link, index): RuleOp => ({
          nr: sys.symlinkat, mode: Mode.check, args: [text(link.target, `links[${index}].target`), c.AT_FDCWD, inside(link.path, `links[${index}].path`)], stage: "tmpfs", subject: link.path
        })),
        ...(step.readOnly ? [setattr(text(step.target, "target"), false, BigInt(c.MOUNT_ATTR_RDONLY), 0n, step.target)] : [])
      ]
    }
    case "pivot-root": {
      const here = layout.string(".")
      return [
        { nr: sys.chdir, mode: Mode.check, args: [text(step.newRoot, "newRoot")], stage: "pivot-root", subject: step.newRoot },
        // With both "." the old root ends up stacked beneath the new one, and the detach below removes it.
        { nr: sys.pivot_root, mode: Mode.check, args: [here, here], stage: "pivot-root", subject: step.newRoot },
        { nr: sys.umount2, mode: Mode.check, args: [here, c.MNT_DETACH], stage: "pivot-root", subject: "the old root" },
        { nr: sys.chdir, mode: Mode.check, args: [layout.string("/")], stage: "pivot-root", subject: "/" }
      ]
    }
    default:
      return step satisfies never
  }
}
