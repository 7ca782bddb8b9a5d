import { describe, expect, it } from "vitest";
import { isLocalSource } from "./offline";

describe("isLocalSource", () => {
  it("accepts data: and blob: URLs only", () => {
    expect(isLocalSource("data:image/png;base64,AAAA")).toBe(true);
    expect(isLocalSource(" BLOB:https://x/1")).toBe(true);
    expect(isLocalSource("https://example.com/p.png")).toBe(false);
    expect(isLocalSource("//example.com/p.png")).toBe(false);
    expect(isLocalSource("p.png")).toBe(false);
  });
});
