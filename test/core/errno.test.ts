/** The Linux errno table (asm-generic numbering, as on x86_64). */
import { describe, expect, it } from "vitest"
import { errnoName, errnoNames, errnoNumber, errnoText } from "../../core/errno.ts"

describe("errno table", () => {
  it("maps names to numbers and back", () => {
    expect(errnoNumber("EPERM")).toBe(1)
    expect(errnoNumber("EACCES")).toBe(13)
    expect(errnoNumber("ENOSYS")).toBe(38)
    expect(errnoNumber("EOPNOTSUPP")).toBe(95)
    expect(errnoNumber("EHWPOISON")).toBe(133)
    expect(errnoName(22)).toBe("EINVAL")
    expect(errnoName(11)).toBe("EAGAIN")
  })

  it("knows glibc's aliases but names numbers canonically", () => {
    expect(errnoNumber("EWOULDBLOCK")).toBe(11)
    expect(errnoNumber("EDEADLOCK")).toBe(35)
    expect(errnoNumber("ENOTSUP")).toBe(95)
    expect(errnoName(35)).toBe("EDEADLK")
  })

  it("has every number from 1 to 133 except the two unused ones", () => {
    const numbers = new Set(errnoNames.map((name) => errnoNumber(name)))
    const missing = Array.from({ length: 133 }, (_, i) => i + 1).filter((n) => !numbers.has(n))
    expect(missing).toEqual([41, 58])
  })

  it("returns undefined for unknown names and numbers", () => {
    expect(errnoNumber("EPRM")).toBeUndefined()
    expect(errnoNumber("eperm")).toBeUndefined()
    expect(errnoName(0)).toBeUndefined()
    expect(errnoName(4000)).toBeUndefined()
  })

  it("describes numbers for messages", () => {
    expect(errnoText(22)).toBe("EINVAL (Invalid argument)")
    expect(errnoText(4000)).toBe("errno 4000")
  })
})
