/**
 * Issue 11's attacks under sandbox(), as a user would write them. Today every
 * one fails differently: sandbox() refuses to start anything (the native
 * launcher is missing), so each `run` rejects with FenceError LauncherMissing.
 * Once the fences land, each must resolve with the attack refused.
 */
import { createServer } from "node:net"
import { describe, expect, it } from "vitest"
import { run } from "../../adapters/node/mod.ts"
import { sandbox } from "../../plugins/sandbox/mod.ts"
import { prelude, python } from "./attack.ts"

describe("sandbox() stops the attacks it exists for", () => {
  it("a sandboxed child cannot read ~/.ssh or /etc/shadow", async () => {
    const result = await run(["sh", "-c", "cat ~/.ssh/id_* /etc/shadow; echo status $?"], { plugins: [sandbox()] })
    expect(result.stdout).toBe("status 1\n")
  })

  it("cannot write outside the writable path, through .. or a symlink", async () => {
    const result = await run(["sh", "-c", "mkdir -p /tmp/job && ln -sf /etc/kakoi-x /tmp/job/link; echo > /tmp/job/link; echo > /tmp/job/../../etc/kakoi-y; echo > /tmp/job/ok && echo wrote"], {
      plugins: [sandbox({ filesystem: "read-only-host" })]
    })
    expect(result.stderr).toContain("Read-only file system")
    expect(result.stdout).toBe("wrote\n")
  })

  it("cannot connect to a server on the host's loopback with network none", async () => {
    const server = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { port } = server.address() as { readonly port: number }
    try {
      const code = `${prelude}import socket\ntry:\n  socket.create_connection(("127.0.0.1", ${port}), 2); print("connected")\nexcept OSError as e: print(e.errno)`
      const result = await run(python(code), { plugins: [sandbox({ network: "none" })] })
      expect(result.stdout.trim()).not.toBe("connected")
    } finally {
      server.close()
    }
  })

  it("cannot open a UDP socket under a TCP-only rule", async () => {
    const code = "import socket\ntry:\n  socket.socket(socket.AF_INET, socket.SOCK_DGRAM); print('udp')\nexcept OSError as e: print(e.errno)"
    const result = await run(python(code), { plugins: [sandbox({ network: { connect: [443] } })] })
    expect(result.stdout.trim()).toBe("13")
  })

  it("cannot setuid(0) after the drop to nobody", async () => {
    const result = await run(python(`${prelude}print(libc.setuid(0), os.getuid())`), { plugins: [sandbox({ user: "nobody" })] })
    expect(result.stdout.trim()).toBe("-1 65534")
  })

  it("does its arithmetic and nothing else, 20 at once", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) =>
      run(python(`print(${index} * 7)\nimport os\nprint(os.listdir(os.path.expanduser("~")))`), { plugins: [sandbox()] })))
    expect(results.map((result) => result.stdout.split("\n")[0])).toEqual(Array.from({ length: 20 }, (_, index) => String(index * 7)))
    expect(results.every((result) => result.exitCode === 1)).toBe(true)
  })
})
