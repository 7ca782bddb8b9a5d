/**
 * The alerts list (the Board's Alerts tab, or `nbboard.Alerts(...)` alone): every fired alert,
 * newest first, with its rule, value and reference; "Show" jumps to the point on the Board's
 * scalar chart. Logged strings go into the page as text only.
 */
import type { ViewContext, ViewSpec } from "../../view/context";
import { hasRecords } from "../../view/context";
import { button, el } from "../../view/dom";
import { notifications } from "./banner";
import { collectAlerts, fmtValue, type AlertInfo } from "./logic";

function row(a: AlertInfo, ctx: ViewContext): HTMLTableRowElement {
  const tr = el("tr", "nbb-alert-row");
  tr.dataset.run = a.run;
  tr.dataset.tag = a.tag;
  tr.dataset.step = String(a.step);
  const when = new Date(a.firedAt * 1000);
  const runCell = el("td");
  const dot = el("span", "nbb-alert-dot");
  dot.style.background = ctx.colors.get(a.run);
  runCell.append(dot, document.createTextNode(a.run));
  const cells = [
    el("td", "nbb-alert-when", when.toLocaleTimeString()),
    runCell,
    el("td", "nbb-alert-tag", a.tag),
    el("td", "nbb-num", String(a.step)),
    el("td", "nbb-num nbb-alert-value", a.valueText),
    el("td", "nbb-num", a.reference === null ? "" : fmtValue(a.reference)),
    el("td", "nbb-alert-rule", a.label),
  ];
  cells[0].title = when.toString();
  cells[6].title = a.message;
  tr.append(...cells);
  const act = el("td");
  if (ctx.showPoint) act.append(button("Show", "Show this point on its chart", () => ctx.showPoint!(a.run, a.tag, a.step)));
  tr.append(act);
  return tr;
}

function render(root: HTMLElement, ctx: ViewContext): () => void {
  const bar = el("div", "nbb-toolbar");
  const count = el("span", "nbb-status-text");
  bar.append(count, notifications(ctx));
  const table = el("table", "nbb-table nbb-alerts-table");
  const head = el("tr");
  for (const h of ["Fired", "Run", "Tag", "Step", "Value", "Reference", "Rule", ""]) head.append(el("th", undefined, h));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  table.append(thead, body);
  const empty = el("div", "nbb-empty", "No alerts have fired. Rules: writer.add_alert(...), store.add_alert(...) or %nbboard --alert.");
  root.append(bar, empty, table);
  const draw = () => {
    const alerts = collectAlerts(ctx.records.ofKind("alerts")).reverse();
    count.textContent = `${alerts.length} alert${alerts.length === 1 ? "" : "s"} fired`;
    empty.style.display = alerts.length ? "none" : "";
    table.style.display = alerts.length ? "" : "none";
    body.replaceChildren(...alerts.map((a) => row(a, ctx)));
    root.dataset.alerts = String(alerts.length);
  };
  draw();
  return ctx.records.subscribe((changed, structural) => {
    if (structural || [...changed].some((s) => s.kind === "alerts")) draw();
  });
}

export const alertsView: ViewSpec = { kind: "alerts", label: "Alerts", order: 2, present: hasRecords("alerts"), render };
