import { describe, expect, it } from "vitest";
import { RecordSeries } from "../../lib/records";
import { alertLine, alertsByTag, alertTitle, alertX, collectAlerts, fmtValue, stripAlertTitle, unseen } from "./logic";

function series(run: string, metas: Record<string, unknown>[], tag = ".alerts"): RecordSeries {
  const s = new RecordSeries(1, "alerts", run, tag);
  s.recs = metas.map((m) => ({ step: Number(m.step ?? 0), wall: 100, meta: m, parts: [] }));
  return s;
}

describe("collectAlerts", () => {
  it("dedupes by run, rule, tag and step and sorts by firing time", () => {
    const a = series("r1", [
      { rule: "hi", tag: "loss", step: 5, value: 12.5, reference: 10, fired_at: 3, text: "loss > 10" },
      { rule: "hi", tag: "loss", step: 5, value: 12.5, reference: 10, fired_at: 4 },
      { rule: "nan", tag: "acc", step: 7, value: null, value_text: "nan", fired_at: 1 },
    ]);
    const b = series("r2", [{ rule: "hi", tag: "loss", step: 5, value: 11, fired_at: 2 }]);
    const got = collectAlerts([a, b]);
    expect(got.map((x) => [x.run, x.rule, x.step])).toEqual([
      ["r1", "nan", 7],
      ["r2", "hi", 5],
      ["r1", "hi", 5],
    ]);
    expect(got[0].value).toBeNull();
    expect(got[0].valueText).toBe("nan");
    expect(got[2].text).toBe("loss > 10");
    expect(got[2].label).toBe("hi (loss > 10)");
    expect(got[1].text).toBe("hi"); // no text: the rule's name
    expect(got[1].label).toBe("hi");
  });

  it("leaves out the rules a run keeps beside its alerts", () => {
    const rules = series("r1", [{ rule: { name: "hi", above: 10 }, step: 0 }], ".alert-rules");
    const a = series("r1", [{ rule: "hi", tag: "loss", step: 5, value: 12.5, fired_at: 3 }]);
    expect(collectAlerts([rules, a]).map((x) => x.rule)).toEqual(["hi"]);
  });

  it("takes strings as they are, never as markup (the caller sets textContent)", () => {
    const got = collectAlerts([series("<b>r</b>", [{ rule: "<img src=x onerror=alert(1)>", tag: "t", step: 1, value: 1, fired_at: 1 }])]);
    expect(got[0].rule).toBe("<img src=x onerror=alert(1)>");
    expect(alertLine(got[0])).toContain("run <b>r</b>");
  });
});

describe("helpers", () => {
  const a = collectAlerts([series("r", [{ rule: "x", tag: "loss", step: 40, value: 2, wall_time: 1010, fired_at: 1 }])])[0];
  it("places an alert on each x axis", () => {
    expect(alertX(a, "step", 1000)).toBe(40);
    expect(alertX(a, "wall", 1000)).toBe(1010);
    expect(alertX(a, "relative", 1000)).toBe(10);
  });
  it("groups by tag and finds the unseen ones", () => {
    expect([...alertsByTag([a]).keys()]).toEqual(["loss"]);
    expect(unseen([a], new Set([a.id]))).toEqual([]);
    expect(unseen([a], new Set())).toEqual([a]);
  });
  it("prefixes the title once and strips it", () => {
    const t = alertTitle("JupyterLab", 2);
    expect(t).toBe("⚠ (2) JupyterLab");
    expect(alertTitle(t, 3)).toBe("⚠ (3) JupyterLab");
    expect(alertTitle(t, 0)).toBe("JupyterLab");
    expect(stripAlertTitle("plain")).toBe("plain");
  });
  it("formats values with 6 significant digits", () => {
    expect(fmtValue(12.3456789)).toBe("12.3457");
    expect(fmtValue(1e-9)).toBe("1e-9");
  });
});
