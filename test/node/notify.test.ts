/** The notify conformance suite on Node, and what only Node's layer can be asked to leave out. */
import { Layer } from "effect"
import { describe, expect, it } from "vitest"
import { makeApi } from "../../core/api.ts"
import { kernelFromLibc, KernelService } from "../../core/host/kernel.ts"
import { NativeLibrary } from "../../core/native.ts"
import { layer as seccompLibraryLayer } from "../../adapters/node/libseccomp.ts"
import { layer, run, runEffect, spawn } from "../../adapters/node/mod.ts"
import { nativeFromLibc } from "../../core/libc-native.ts"
import { nodeLibc } from "../../adapters/node/native.ts"
import { nodeBinding } from "../../adapters/node/runtime.ts"
import { makeAdapter } from "../../adapters/shared/make-adapter.ts"
import { answer, policy, seccomp } from "../../plugins/seccomp/mod.ts"
import { notifySuite } from "../conformance/notify.ts"
import { notifyServicesSuite } from "../conformance/notify-services.ts"
import { notifyActSuite } from "../conformance/notify-act.ts"

notifySuite({ runtime: "Node", run, spawn })
notifyServicesSuite({ runtime: "Node", runEffect, layer })
notifyActSuite({ runtime: "Node", run })

describe("notify without a listener system", () => {
  it("fails closed: a layer with no listener system starts nothing and says so", async () => {
    // Everything the adapter's layer has but the listener system (the Kernel port is the default containment's).
    const bare = makeApi(makeAdapter(nodeBinding).host, Layer.mergeAll(
      seccompLibraryLayer,
      Layer.sync(NativeLibrary, () => nativeFromLibc(nodeLibc())),
      Layer.sync(KernelService, () => kernelFromLibc(nodeLibc()))
    ))
    const options = { plugins: [seccomp(policy((rule) => rule.notify(() => answer.allow(), "getppid"), { default: "allow" }))] }
    const error = await bare.run(["/bin/true"], options).catch((error: unknown) => error)
    expect(error).toMatchObject({ _tag: "NotifyError", reason: "Unsupported" })
  })
})
