/**
 * Policy compile time for a Docker-default-sized rule set: every syscall of
 * the native arch allowed under an errno EPERM default, with Docker's argument
 * conditions on personality, clone, clone3 and socket. kakoi's `policy()` +
 * `compile()` (validation, plan, libseccomp through koffi, export to a memfd)
 * against libseccomp driven from C with the same calls
 * (test/fixtures/bpf-reference.c in `repeat` mode, timed inside the C
 * program, so process startup is excluded), for OPTIMIZE=1 and OPTIMIZE=2
 * (binary tree). Both sides must export the same BPF bytes.
 *
 * compile() caches by policy object and by canonical text, so every kakoi run
 * makes a new policy whose allow rule lists the syscalls rotated by one more
 * place: a different text, the same filter.
 *
 * Run: node bench/compile.ts [runs]   (default 200, after 20 warm-up runs)
 */
import { execFileSync, spawnSync } from "node:child_process"
import { mkdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { make } from "../adapters/node/libseccomp.ts"
import { actionValue, operatorValue } from "../plugins/seccomp/actions.ts"
import { plan } from "../plugins/seccomp/plan.ts"
import { compile, policy, SeccompLibrary, syscallNames, type Policy, type PolicyJson, type RuleJson } from "../plugins/seccomp/mod.ts"
import { compare, machine, report, type Sample } from "./measure.ts"

const runs = Number(process.argv[2] ?? 200)
const warmup = 20
const source = join(import.meta.dirname, "../test/fixtures/bpf-reference.c")
const libseccompPath = "/lib/x86_64-linux-gnu/libseccomp.so.2"
const buildDirectory = join(import.meta.dirname, ".build")

const library = Effect.runSync(make())
const provided = <A, E>(effect: Effect.Effect<A, E, SeccompLibrary>): A =>
  Effect.runSync(Effect.provideService(effect, SeccompLibrary, library))

/** Docker's default profile: these syscalls are allowed only for some arguments (or, clone3, fail with ENOSYS). */
const conditional: ReadonlyArray<RuleJson> = [
  ...[0x0, 0x8, 0x20000, 0x20008, 0xffffffff].map((persona): RuleJson => ({
    action: "allow", syscalls: ["personality"], args: [{ index: 0, op: "==", value: persona }]
  })),
  // Any of CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP: denied.
  { action: "allow", syscalls: ["clone"], args: [{ index: 0, op: "masked==", mask: 0x7e020000, value: 0 }] },
  { action: "errno", errno: "ENOSYS", syscalls: ["clone3"] },
  { action: "allow", syscalls: ["socket"], args: [{ index: 0, op: "!=", value: 40 }] } // AF_VSOCK
]
const conditioned = new Set(conditional.flatMap((rule) => rule.syscalls))
const allowed = provided(syscallNames()).filter((name) => !conditioned.has(name))

let rotation = 0
/** A new policy object with a new canonical text each call, compiling to the same filter. */
const dockerLike = (optimize: 1 | 2): PolicyJson => {
  const shift = rotation++ % allowed.length
  return {
    default: { errno: "EPERM" },
    rules: [{ action: "allow", syscalls: [...allowed.slice(shift), ...allowed.slice(0, shift)] }, ...conditional],
    attributes: { optimize }
  }
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

/** libseccomp from C: the median and p90 of `runs` compiles (timed by the C program), and the BPF. */
const cBaseline = (binary: string, p: Policy): { readonly sample: Sample; readonly bpf: Buffer } => {
  const result = spawnSync(binary, ["repeat", String(runs)], { input: script(p) })
  const timing = /^median (\d+) p90 (\d+)$/m.exec(result.stderr.toString())
  if (result.status !== 0 || timing === null) {
    throw new Error(`${binary} failed with ${result.signal ?? `exit code ${result.status}`}: ${result.stderr.toString().trim()}`)
  }
  const sample = { label: "C: libseccomp, same calls", medianMs: Number(timing[1]) / 1e6, p90Ms: Number(timing[2]) / 1e6 }
  return { sample, bpf: result.stdout }
}

const binary = buildReference()
for (const optimize of [1, 2] as const) {
  const reference = policy(dockerLike(optimize))
  const rules = plan(reference).added.length
  const expected = provided(compile(reference)).bpf
  const c = cBaseline(binary, reference)
  if (!Buffer.from(expected).equals(c.bpf)) throw new Error(`OPTIMIZE=${optimize}: kakoi and C exported different BPF`)
  const rotated = provided(compile(policy(dockerLike(optimize))))
  if (rotated === provided(compile(reference)) || !Buffer.from(rotated.bpf).equals(c.bpf)) {
    throw new Error(`OPTIMIZE=${optimize}: a rotated policy must compile anew to the same BPF`)
  }
  const samples = await compare([
    { label: "kakoi: policy() + compile()", task: async () => provided(compile(policy(dockerLike(optimize)))) },
    { label: "kakoi: policy() alone (validation)", task: async () => policy(dockerLike(optimize)) }
  ], runs, warmup)
  report(
    `Compile ${rules} rules, OPTIMIZE=${optimize} (${expected.length / 8} BPF instructions), median of ${runs} (${machine()})`,
    [c.sample, ...samples]
  )
}
