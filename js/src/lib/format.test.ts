import { describe, expect, it } from "vitest";
import { fmtDurationTicks } from "./format";

describe("duration ticks", () => {
  it("pick a unit from the increment and enough decimals", () => {
    expect(fmtDurationTicks([0, 0.0002, 0.0004], 0.0002)).toEqual(["0.0ms", "0.2ms", "0.4ms"]);
    expect(fmtDurationTicks([0, 30, 60], 30)).toEqual(["0s", "30s", "60s"]);
    expect(fmtDurationTicks([0, 120, 240], 120)).toEqual(["0m", "2m", "4m"]);
    expect(fmtDurationTicks([0, 1800, 3600, null], 1800)).toEqual(["0m", "30m", "60m", ""]);
    expect(fmtDurationTicks([0, 5400], 5400)).toEqual(["0.0h", "1.5h"]);
  });
});
