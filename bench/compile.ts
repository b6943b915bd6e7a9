/**
 * Policy compile time for Docker's default profile (test/fixtures/profiles/
 * docker-default.json), read as `kakoi run --policy` reads it, for a container's
 * default capabilities on this kernel: kakoi's `policy()` + `compile()`
 * (profile import, validation, expansion, plan, libseccomp through koffi,
 * export to a memfd) against libseccomp driven from C with the same calls
 * (test/fixtures/bpf-reference.c in `repeat` mode, timed inside the C program,
 * so process startup is excluded), for OPTIMIZE=1 and OPTIMIZE=2 (binary
 * tree). Both sides must export the same BPF bytes. Then the simulator's
 * throughput over the compiled filter.
 *
 * compile() caches by policy object and by canonical text, so every kakoi run
 * reads a new profile object whose first entry lists its syscalls rotated by
 * one more place: a different text, the same filter.
 *
 * Run: node bench/compile.ts [runs]   (default 200, after 20 warm-up runs)
 */
import { execFileSync, spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { make } from "../adapters/node/libseccomp.ts"
import { actionValue, operatorValue } from "../plugins/seccomp/actions.ts"
import { plan } from "../plugins/seccomp/plan.ts"
import { compile, policy, SeccompLibrary, simulator, toJson, type OciOptions, type OciProfile, type Policy } from "../plugins/seccomp/mod.ts"
import { compareFigures, machine, reportFigures, type FigureCase } from "./measure.ts"

const runs = Number(process.argv[2] ?? 200)
const warmup = 20
const source = join(import.meta.dirname, "../test/fixtures/bpf-reference.c")
const libseccompPath = "/lib/x86_64-linux-gnu/libseccomp.so.2"
const buildDirectory = join(import.meta.dirname, ".build")

const library = Effect.runSync(make())
const provided = <A, E>(effect: Effect.Effect<A, E, SeccompLibrary>): A =>
  Effect.runSync(Effect.provideService(effect, SeccompLibrary, library))

const docker = JSON.parse(readFileSync(join(import.meta.dirname, "../test/fixtures/profiles/docker-default.json"), "utf8")) as OciProfile
/** Docker's default capability set for a container (moby's oci/caps defaults). */
const options: OciOptions = {
  caps: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
}

let rotation = 0
/** A new profile object with a new canonical text each call, compiling to the same filter. */
const rotated = (optimize: 1 | 2): Policy => {
  const [first, ...rest] = docker.syscalls ?? []
  const names = first?.names ?? []
  const shift = rotation++ % names.length
  const profile: OciProfile = { ...docker, syscalls: [{ ...first, action: first?.action ?? "", names: [...names.slice(shift), ...names.slice(0, shift)] }, ...rest] }
  const p = policy(profile, options)
  if (optimize === 1) return p
  // OPTIMIZE is not a profile word: the same rules in kakoi's format with its attribute.
  const json = toJson(p)
  return policy({ ...json, attributes: { ...json.attributes, optimize: 2 } })
}

const hex = (value: number | bigint): string => `0x${value.toString(16)}`

/** The libseccomp calls compile() makes for a policy, in bpf-reference.c's script format. */
const script = (p: Policy): string => {
  const { noNewPrivs, log, optimize, badArch } = p.attributes
  const lines = [`init ${hex(actionValue(p.default))}`, `attr 3 ${noNewPrivs ? 1 : 0}`]
  if (log) lines.push("attr 6 1")
  if (optimize === 2) lines.push("attr 8 2")
  if (badArch !== undefined) lines.push(`attr 2 ${hex(actionValue(badArch))}`)
  lines.push(...p.arches.map((arch) => `arch ${arch}`))
  for (const { action, syscall, args } of plan(p).added) {
    // Names libseccomp does not know are left out by compile() too (unknownSyscalls: "skip").
    if (library.syscallResolveName(library.archNative(), syscall) === -1) continue
    const conditions = args.map((c) => c.op === "masked=="
      ? `${c.index} ${operatorValue(c.op)} ${hex(c.mask)} ${hex(c.value)}`
      : `${c.index} ${operatorValue(c.op)} ${hex(c.value)} 0x0`)
    lines.push([`rule ${hex(actionValue(action))} ${syscall}`, ...conditions].join(" "))
  }
  return `${lines.join("\n")}\n`
}

/** The C reference built with -O2 into bench/.build, rebuilt when its source is newer. */
const buildReference = (): string => {
  const binary = join(buildDirectory, "bpf-reference")
  mkdirSync(buildDirectory, { recursive: true })
  const built = statSync(binary, { throwIfNoEntry: false })
  if (built === undefined || built.mtimeMs < statSync(source).mtimeMs) {
    execFileSync("gcc", ["-O2", "-o", binary, source, libseccompPath], { stdio: ["ignore", "inherit", "inherit"] })
  }
  return binary
}

/** One C run of `repeat` compiles (timed inside the C program): its median in ms, and the BPF it exported. */
const cRun = (binary: string, input: string, repeat: number): { readonly ms: number; readonly bpf: Buffer } => {
  const result = spawnSync(binary, ["repeat", String(repeat)], { input })
  const timing = /^median (\d+) p90 (\d+)$/m.exec(result.stderr.toString())
  if (result.status !== 0 || timing === null) {
    throw new Error(`${binary} failed with ${result.signal ?? `exit code ${result.status}`}: ${result.stderr.toString().trim()}`)
  }
  return { ms: Number(timing[1]) / 1e6, bpf: result.stdout }
}

/** A case timed by performance.now, as a figure in ms. */
const timed = (label: string, task: () => unknown): FigureCase => ({
  label,
  task: async () => {
    const started = performance.now()
    task()
    return performance.now() - started
  }
})

/** Simulated calls per second over a compiled filter: every syscall number 0..511 with varying arguments. */
const throughput = (bpf: Uint8Array): number => {
  const filter = simulator(bpf)
  const arch = library.archNative()
  const calls = 1_000_000
  const start = performance.now()
  for (let i = 0; i < calls; i++) filter.run({ nr: i & 511, arch, args: [BigInt(i & 63), BigInt(i >>> 6)] })
  return calls / ((performance.now() - start) / 1000)
}

const binary = buildReference()
for (const optimize of [1, 2] as const) {
  const reference = rotated(optimize)
  const rules = plan(reference).added.length
  const expected = provided(compile(reference)).bpf
  const input = script(reference)
  if (!Buffer.from(expected).equals(cRun(binary, input, 1).bpf)) throw new Error(`OPTIMIZE=${optimize}: kakoi and C exported different BPF`)
  const again = provided(compile(rotated(optimize)))
  if (again === provided(compile(reference)) || !Buffer.from(again.bpf).equals(Buffer.from(expected))) {
    throw new Error(`OPTIMIZE=${optimize}: a rotated profile must compile anew to the same BPF`)
  }
  // Interleaved: each round runs C (the median of 5 compiles it times itself), then kakoi, so load hits all alike.
  const figures = await compareFigures([
    { label: "C: libseccomp, same calls", task: async () => cRun(binary, input, 5).ms },
    timed("kakoi: policy() + compile()", () => provided(compile(rotated(optimize)))),
    timed("kakoi: policy() alone (profile import, validation)", () => rotated(optimize))
  ], runs, warmup)
  reportFigures(
    `Compile Docker's default profile: ${rules} rules, arches ${["native", ...reference.arches].join(", ")}, OPTIMIZE=${optimize} (${expected.length / 8} BPF instructions), median of ${runs} (${machine()})`,
    "ms",
    figures
  )
  if (optimize === 1) console.log(`\nSimulator over this filter: ${(throughput(expected) / 1e6).toFixed(2)} M calls/s`)
}
