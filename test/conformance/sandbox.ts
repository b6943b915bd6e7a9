/**
 * sandbox() through run(), for any adapter: the attacks it exists to stop, as
 * a user would write them (issue 11): ~/.ssh and /etc/shadow, writes outside
 * the writable path (through a symlink and ..), a connection to a server on
 * the host's loopback, a UDP socket under a TCP-only rule, setuid(0) after the
 * drop to nobody, and 20 Python one-liners at once that can do their
 * arithmetic and nothing else. The C harness runs the same plans as nobody
 * (test/sandbox/sandbox.test.ts); here the supervisor is this test process.
 */
import { createServer } from "node:net"
import { describe, expect, it } from "vitest"
import type { RunOptions, RunResult } from "../../core/api.ts"
import { sandbox } from "../../plugins/sandbox/mod.ts"

export interface SandboxApi {
  readonly run: (argv: ReadonlyArray<string>, options?: RunOptions<any, any>) => Promise<RunResult>
}

const text = (output: unknown): string => (typeof output === "string" ? output : new TextDecoder().decode(output as Uint8Array))
const python = (code: string): ReadonlyArray<string> => ["/usr/bin/python3", "-c", `import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n${code}`]

/** Registers the suite for one runtime's `run`. */
export const sandboxSuite = (runtime: string, api: SandboxApi): void => {
  describe(`sandbox() on ${runtime} stops the attacks it exists for`, () => {
    it("a sandboxed child cannot read ~/.ssh or /etc/shadow", async () => {
      const result = await api.run(["sh", "-c", "cat ~/.ssh/id_* /etc/shadow 2>/dev/null; echo status $?"], { plugins: [sandbox()] })
      expect(text(result.stdout)).toBe("status 1\n")
    })

    it("cannot write outside the writable path, through .. or a symlink; writes its private /tmp", async () => {
      const script = "mkdir -p /tmp/job && ln -sf /etc/kakoi-x /tmp/job/link; echo > /tmp/job/link; echo > /tmp/job/../../etc/kakoi-y; echo > /tmp/job/ok && echo wrote"
      const result = await api.run(["sh", "-c", script], { plugins: [sandbox({ filesystem: "read-only-host" })] })
      expect(text(result.stderr)).toContain("Read-only file system")
      expect(text(result.stdout)).toBe("wrote\n")
    })

    it("cannot connect to a server on the host's loopback with network none", async () => {
      const server = createServer((socket) => socket.destroy())
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const { port } = server.address() as { readonly port: number }
      try {
        const code = `import socket\ntry:\n  socket.create_connection(("127.0.0.1", ${port}), 2); print("connected")\nexcept OSError as e: print(e.errno)`
        const result = await api.run(python(code), { plugins: [sandbox({ network: "none" })] })
        // ENETUNREACH: the child's own network namespace has no route at all.
        expect(text(result.stdout)).toBe("101\n")
      } finally {
        server.close()
      }
    })

    it("cannot open a UDP socket under a TCP-only rule", async () => {
      const code = "import socket\ntry:\n  socket.socket(socket.AF_INET, socket.SOCK_DGRAM); print('udp')\nexcept OSError as e: print(e.errno)"
      const result = await api.run(python(code), { plugins: [sandbox({ network: { connect: [443] } })] })
      expect(text(result.stdout).trim()).toBe("13")
    })

    it("cannot setuid(0) after the drop to nobody", async () => {
      const result = await api.run(python("print(libc.setuid(0), os.getuid())"), { plugins: [sandbox({ user: "nobody" })] })
      expect(text(result.stdout).trim()).toBe("-1 65534")
    })

    it("does its arithmetic and nothing else, 20 at once: the home is an empty directory, the host read-only", async () => {
      const code = (index: number): string =>
        `print(${index} * 7)\nprint(len(os.listdir(os.path.expanduser("~"))))\ntry:\n  open("/etc/kakoi-z", "w"); print("wrote")\nexcept OSError as e: print(e.errno)`
      const results = await Promise.all(Array.from({ length: 20 }, (_, index) => api.run(python(code(index)), { plugins: [sandbox()] })))
      expect(results.map((result) => text(result.stdout))).toEqual(Array.from({ length: 20 }, (_, index) => `${index * 7}\n0\n30\n`))
    })
  })
}
