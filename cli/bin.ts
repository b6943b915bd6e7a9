#!/bin/sh
":" //; KAKOI_IGNORED_SIGNALS=; if [ -n "${BASH_VERSION-}" ]; then KAKOI_IGNORED_SIGNALS=$(exec grep -m1 '^SigIgn:' /proc/self/status 2>/dev/null); else while IFS= read -r KAKOI_IGNORED_SIGNALS; do case $KAKOI_IGNORED_SIGNALS in SigIgn:*) break ;; esac; done 2>/dev/null </proc/$$/status; fi; KAKOI_IGNORED_SIGNALS=${KAKOI_IGNORED_SIGNALS#SigIgn:} exec node "$0" "$@"
/**
 * The `kakoi` executable. Its first two lines are a shell script (to
 * JavaScript, a string and a comment): /bin/sh reads its own ignored signals
 * from /proc, which are the ones kakoi was started with (`nohup`'s SIGHUP),
 * and execs Node on this file with them in KAKOI_IGNORED_SIGNALS, since Node
 * sets them back to the default before any JavaScript runs
 * (cli/ignored-signals.ts). The build (scripts/build-cli.ts) puts the same
 * two lines at the top of the bundle. The shell reads into that variable and
 * no other: any other name might be one the caller exported (`line`), which
 * the command would then get overwritten. Without /proc (a bare container)
 * it says nothing and hands over no signal, not the caller's own value.
 * Bash (/bin/sh on Fedora, Arch) ignores SIGQUIT itself, so its own SigIgn
 * is not what it was started with: under bash it is read by a command it
 * starts (grep), which gets the dispositions bash found.
 */
import { main } from "./main.ts"
import { takeIgnoredSignals } from "./ignored-signals.ts"

// Out of the environment before anything is started with it.
const ignoredSignals = takeIgnoredSignals(process.env)

/** The standard streams kakoi wrote to (each is made on first use: an untouched one costs nothing). */
const written = new Set<NodeJS.WriteStream>()
const write = (stream: NodeJS.WriteStream, data: string | Uint8Array): void => {
  if (!written.has(stream)) stream.on("error", closedReader)
  written.add(stream)
  stream.write(data)
}
/**
 * Node ignores SIGPIPE, so a reader that went away (`kakoi lint FILE | head -1`)
 * is an EPIPE error, which unhandled is a stack trace. kakoi ends as a program
 * SIGPIPE killed would, quietly with 128+13, as `git diff | head -1` does; any
 * other error of a standard stream is thrown as before.
 */
const closedReader = (error: NodeJS.ErrnoException): void => {
  if (error.code !== "EPIPE") throw error
  process.exit(141)
}

const status = await main(process.argv.slice(2), {
  out: (line) => write(process.stdout, `${line}\n`),
  err: (line) => write(process.stderr, `${line}\n`),
  bytes: (data) => write(process.stdout, data),
  ignoredSignals
})
// The command is done: exit now rather than let Node tear its heap down first (~5 ms of a
// `kakoi run`). Writes to a pipe are asynchronous, so each stream used is flushed before.
for (const stream of written) await new Promise<void>((flushed) => stream.write("", () => flushed()))
process.exit(status)
