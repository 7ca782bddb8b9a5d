/**
 * The profiler view (the Board's Profiler tab, or `nbboard.Profiler(...)` alone): one profile
 * (a run's worker at one profiler cycle) at a time, with tabs for the overview (time breakdown,
 * step times across every cycle of the worker), operators (sortable, searchable, by input shape,
 * call stack and module), kernels, memory, modules and recommendations. A tab without data is not
 * shown. Logged names go into the page as text only.
 */
import type { ViewContext, ViewSpec } from "../../view/context";
import { hasRecords } from "../../view/context";
import { sizeCanvas } from "../../view/charts";
import { el, injectCss } from "../../view/dom";
import css from "./profiler.css";
import { decodeTimeline, flowLines, flowLinks, focusWindow, hit, layoutLanes, nameColor, nextMatch, pan, rowIndex, rowRuns, searchMask, zoom, type Timeline } from "./timeline";
import type { Rec } from "../../lib/records";
import {
  CMP_FIELDS,
  collectProfiles,
  compareChoices,
  compareOps,
  defaultSides,
  fmtBytes,
  fmtShare,
  fmtUs,
  hasChildren,
  KIND,
  opRows,
  opTable,
  ROLE_COLORS,
  ROLE_LABELS,
  ROLES,
  shares,
  distributedReport,
  tabsFor,
  visibleModules,
  type CmpField,
  type OpRow,
  type ProfileInfo,
  type SortKey,
  type StepRow,
} from "./logic";

const TAB_LABELS: Record<string, string> = {
  overview: "Overview",
  operators: "Operators",
  kernels: "GPU Kernels",
  memory: "Memory",
  modules: "Modules",
  advice: "Recommendations",
  trace: "Trace",
  compare: "Compare",
  distributed: "Distributed",
};
const MAX_ROWS = 400;

function cssVar(node: HTMLElement, name: string, fallback: string): string {
  const v = getComputedStyle(node).getPropertyValue(name).trim();
  return v || fallback;
}

function th(label: string, title = ""): HTMLTableCellElement {
  const c = el("th", undefined, label);
  if (title) c.title = title;
  return c;
}

function td(text: string, cls?: string): HTMLTableCellElement {
  return el("td", cls, text);
}

function stat(label: string, value: string): HTMLElement {
  const box = el("div", "nbb-prof-stat");
  box.append(el("div", "nbb-prof-stat-value", value), el("div", "nbb-prof-stat-label", label));
  return box;
}

// ---- overview ---------------------------------------------------------------------------------

/** Five horizontal grid lines from 0 to `max` with their labels at the left, in the current style. */
function yGrid(g: CanvasRenderingContext2D, left: number, top: number, plotW: number, plotH: number, max: number,
  fmt: (v: number) => string): void {
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    g.beginPath();
    g.moveTo(left, Math.round(y) + 0.5);
    g.lineTo(left + plotW, Math.round(y) + 0.5);
    g.stroke();
    g.textAlign = "right";
    g.textBaseline = "middle";
    g.fillText(fmt((max * i) / 4), left - 6, y);
  }
}

function drawSteps(canvas: HTMLCanvasElement, steps: readonly StepRow[], width: number, fg: string, grid: string): void {
  const h = 180;
  const g = sizeCanvas(canvas, width, h);
  const left = 64, bottom = 28, top = 10, right = 10;
  const plotW = Math.max(10, width - left - right), plotH = h - top - bottom;
  const max = Math.max(1, ...steps.map((s) => s.duration));
  g.font = "11px sans-serif";
  g.fillStyle = fg;
  g.strokeStyle = grid;
  g.lineWidth = 1;
  yGrid(g, left, top, plotW, plotH, max, fmtUs);
  const n = steps.length;
  const slot = plotW / Math.max(n, 1);
  const bw = Math.max(2, Math.min(48, slot * 0.7));
  steps.forEach((s, i) => {
    const x = left + slot * i + (slot - bw) / 2;
    let y = top + plotH;
    for (const r of ROLES) {
      const hh = (plotH * (s[r] ?? 0)) / max;
      if (hh <= 0) continue;
      g.fillStyle = ROLE_COLORS[r];
      g.fillRect(x, y - hh, bw, hh);
      y -= hh;
    }
    if (n <= 40 || i % Math.ceil(n / 40) === 0) {
      g.fillStyle = fg;
      g.textAlign = "center";
      g.textBaseline = "top";
      g.fillText(s.name, x + bw / 2, top + plotH + 6);
    }
  });
}

function overview(p: ProfileInfo, all: readonly ProfileInfo[], root: HTMLElement): HTMLElement {
  const box = el("div", "nbb-prof-overview");
  const m = p.meta;
  const stats = el("div", "nbb-prof-stats");
  stats.append(
    stat("average step", fmtUs(m.average.duration ?? 0)),
    stat("steps in this cycle", String(m.steps.length)),
    stat("events", m.span.events.toLocaleString()),
  );
  if (!m.span.kernels) stats.append(stat("device", "none recorded (CPU only)"));
  box.append(stats);
  const gpus = m.device.gpus ?? [];
  if (gpus.length) {
    // torch-tb-profiler's GPU summary: per GPU, over the profiled steps
    const tbl = el("table", "nbb-prof-table nbb-prof-gpus");
    const hr = el("tr");
    hr.append(th("GPU"), th("Name"), th("Memory"), th("Compute capability"),
      th("Utilization", "Share of the steps' time some kernel runs on this GPU"),
      th("Est. SM efficiency", "Mean over the steps of the running kernels' blocks per SM, summed and capped at 1"),
      th("Est. achieved occupancy", "Kernels' estimated achieved occupancy, weighted by their time in the steps"));
    tbl.append(el("thead"), el("tbody"));
    tbl.tHead!.append(hr);
    for (const g of gpus) {
      const tr = el("tr");
      tr.dataset.device = String(g.device);
      tr.append(td(String(g.device)), td(g.name), td(g.memory === null ? "" : fmtBytes(g.memory), "nbb-num"), td(g.compute),
        td(fmtShare(g.utilisation), "nbb-num"), td(fmtShare(g.sm_efficiency), "nbb-num"),
        td(g.occupancy === null ? "" : `${g.occupancy.toFixed(1)}%`, "nbb-num"));
      tbl.tBodies[0].append(tr);
    }
    box.append(el("h4", undefined, "GPU summary"), tbl,
      el("div", "nbb-prof-hint", "Over the profiled steps, from kineto's kernel records as torch-tb-profiler reads them (not yet seen on a real CUDA trace by nbboard's tests)."));
  }

  const parts = shares(m.average);
  const bar = el("div", "nbb-prof-bar");
  const legend = el("table", "nbb-prof-table nbb-prof-breakdown");
  const lh = el("tr");
  lh.append(th("Category"), th("Time per step"), th("Share"));
  legend.append(el("thead"), el("tbody"));
  legend.tHead!.append(lh);
  for (const x of parts) {
    const seg = el("div", "nbb-prof-seg");
    seg.style.width = `${(100 * x.share).toFixed(3)}%`;
    seg.style.background = ROLE_COLORS[x.role];
    seg.title = `${ROLE_LABELS[x.role]}: ${fmtUs(x.us)} (${(100 * x.share).toFixed(1)}%)`;
    bar.append(seg);
    const tr = el("tr");
    const name = el("td");
    const sw = el("span", "nbb-prof-swatch");
    sw.style.background = ROLE_COLORS[x.role];
    name.append(sw, document.createTextNode(ROLE_LABELS[x.role]));
    tr.dataset.role = x.role;
    tr.append(name, td(fmtUs(x.us), "nbb-num"), td(`${(100 * x.share).toFixed(1)}%`, "nbb-num"));
    legend.tBodies[0].append(tr);
  }
  box.append(el("h4", undefined, "Execution summary (average step)"), bar, legend);

  // step times across every cycle of this worker
  const steps = all.filter((q) => q.run === p.run && q.worker === p.worker).flatMap((q) => q.meta.steps);
  box.append(el("h4", undefined, `Step time (${steps.length} profiled steps of ${p.worker})`));
  const canvas = el("canvas", "nbb-prof-steps");
  box.append(canvas);
  const draw = () => drawSteps(canvas, steps, Math.max(320, (root.clientWidth || 760) - 24), cssVar(root, "--nbb-fg2", "#555"), cssVar(root, "--nbb-border", "#ddd"));
  requestAnimationFrame(draw);
  draw();
  return box;
}

// ---- operators ---------------------------------------------------------------------------------
interface OpState {
  query: string;
  key: SortKey;
  desc: boolean;
  byShape: boolean;
  selected: string;
}

function operators(p: ProfileInfo, st: OpState, save: () => void): HTMLElement {
  const box = el("div", "nbb-prof-ops");
  const bar = el("div", "nbb-toolbar");
  const search = el("input", "nbb-prof-search");
  search.type = "search";
  search.placeholder = "Search operators, shapes, modules";
  search.value = st.query;
  const shapeBox = el("label", "nbb-prof-check");
  const shape = el("input");
  shape.type = "checkbox";
  shape.checked = st.byShape;
  shapeBox.append(shape, document.createTextNode(" Group by input shape"));
  const count = el("span", "nbb-status-text");
  bar.append(search, shapeBox, count);
  const table = el("table", "nbb-prof-table nbb-prof-optable");
  const detail = el("div", "nbb-prof-detail");
  box.append(bar, table, detail);
  const cols: [SortKey, string, string][] = [
    ["name", "Name", "the operator"],
    ["calls", "Calls", "how many times it ran"],
    ["host_self", "Host self", "host time in the operator itself, children excluded (key_averages' Self CPU)"],
    ["host_total", "Host total", "host time including the operators it called (CPU total)"],
    ["device_self", "Device self", "kernel time launched by the operator itself"],
    ["device_total", "Device total", "kernel time launched by it and its children"],
    ["self_memory", "Self memory", "bytes allocated minus freed in the operator itself"],
  ];
  // device columns only when the profile has device activity
  const device = p.meta.operators.some((o) => o.device_total > 0);
  const draw = () => {
    const rows = opRows(st.byShape ? p.meta.operators_by_shape : p.meta.operators, st.query, st.key, st.desc);
    count.textContent = `${rows.length} operator${rows.length === 1 ? "" : "s"}${rows.length > MAX_ROWS ? ` (first ${MAX_ROWS} shown)` : ""}`;
    const head = el("tr");
    const base = device ? cols : cols.filter(([k]) => k !== "device_self" && k !== "device_total");
    const shown = st.byShape ? [...base.slice(0, 1), ["shape", "Input shape", "Input Dims as recorded (record_shapes)"] as [SortKey, string, string], ...base.slice(1)] : base;
    for (const [key, label, title] of shown) {
      const c = th(label + (st.key === key ? (st.desc ? " ▼" : " ▲") : ""), title);
      c.className = "nbb-prof-sortable";
      c.dataset.key = key;
      c.addEventListener("click", () => {
        if (st.key === key) st.desc = !st.desc;
        else {
          st.key = key;
          st.desc = key !== "name" && key !== "shape";
        }
        save();
        draw();
      });
      head.append(c);
    }
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const r of rows.slice(0, MAX_ROWS)) {
      const tr = el("tr");
      const id = r.name + "\u0000" + (r.shape ?? "");
      tr.dataset.name = r.name;
      if (id === st.selected) tr.classList.add("nbb-on");
      const cells = [td(r.name, "nbb-prof-name")];
      if (st.byShape) cells.push(td(r.shape ?? "", "nbb-prof-shape"));
      cells.push(td(r.calls.toLocaleString(), "nbb-num"), td(fmtUs(r.host_self), "nbb-num"), td(fmtUs(r.host_total), "nbb-num"));
      if (device) cells.push(td(r.device_total ? fmtUs(r.device_self) : "", "nbb-num"), td(r.device_total ? fmtUs(r.device_total) : "", "nbb-num"));
      cells.push(td(r.self_memory ? fmtBytes(r.self_memory) : "", "nbb-num"));
      cells[0].title = r.name;
      tr.append(...cells);
      tr.addEventListener("click", () => {
        st.selected = id;
        save();
        draw();
      });
      body.append(tr);
    }
    table.replaceChildren(thead, body);
    const sel = rows.find((r) => r.name + "\u0000" + (r.shape ?? "") === st.selected);
    showDetail(detail, sel);
  };
  search.addEventListener("input", () => {
    st.query = search.value;
    save();
    draw();
  });
  shape.addEventListener("change", () => {
    st.byShape = shape.checked;
    save();
    draw();
  });
  draw();
  return box;
}

function showDetail(box: HTMLElement, r: OpRow | undefined): void {
  if (!r) {
    box.replaceChildren(el("div", "nbb-prof-hint", "Click an operator for its call stack and module (recorded with with_stack / with_modules)."));
    return;
  }
  const parts: HTMLElement[] = [el("div", "nbb-prof-detail-name", r.name)];
  if (r.types) parts.push(el("div", undefined, `Input types: ${r.types}`));
  parts.push(el("div", undefined, r.module ? `Module: ${r.module}` : "Module: not recorded (with_modules=True)"));
  if (r.stack.length) {
    parts.push(el("div", undefined, "Call stack (innermost first, its longest call):"));
    const ol = el("ol", "nbb-prof-stack");
    for (const f of r.stack) ol.append(el("li", undefined, f));
    parts.push(ol);
  } else parts.push(el("div", undefined, "Call stack: not recorded (with_stack=True)"));
  box.replaceChildren(...parts);
}

// ---- kernels ---------------------------------------------------------------------------------
function kernels(p: ProfileInfo): HTMLElement {
  const box = el("div");
  const table = el("table", "nbb-prof-table nbb-prof-kernels");
  const head = el("tr");
  for (const h of ["Kernel", "Calls", "Total", "Mean", "Max", "Blocks/SM", "Occupancy", "Tensor cores", "Launched by"]) head.append(th(h));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  for (const k of p.meta.kernels.slice(0, MAX_ROWS)) {
    const tr = el("tr");
    tr.dataset.kernel = k.name;
    const name = td(k.name, "nbb-prof-name");
    name.title = k.name;
    tr.append(name, td(String(k.calls), "nbb-num"), td(fmtUs(k.total), "nbb-num"), td(fmtUs(k.mean), "nbb-num"), td(fmtUs(k.max), "nbb-num"),
      td(k.blocks_per_sm === null ? "" : k.blocks_per_sm.toFixed(2), "nbb-num"), td(k.occupancy === null ? "" : `${k.occupancy.toFixed(1)}%`, "nbb-num"),
      td(k.tensor_cores ? "yes" : "no"), td(k.op, "nbb-prof-name"));
    body.append(tr);
  }
  table.append(thead, body);
  box.append(el("div", "nbb-prof-hint", "Per kernel name: figures from kineto's CUDA activity records (not yet seen on a real CUDA trace by nbboard's tests)."), table);
  return box;
}

// ---- memory -------------------------------------------------------------------------------------
function drawMemory(canvas: HTMLCanvasElement, t: number[], alloc: (number | null)[], reserved: (number | null)[], peakT: number, width: number, fg: string, grid: string): void {
  const h = 200;
  const g = sizeCanvas(canvas, width, h);
  const left = 72, bottom = 26, top = 10, right = 10;
  const plotW = Math.max(10, width - left - right), plotH = h - top - bottom;
  const vals = [...alloc, ...reserved].filter((v): v is number => v !== null);
  const max = Math.max(1, ...vals);
  const t0 = t.length ? t[0] : 0, t1 = t.length ? t[t.length - 1] : 1;
  const X = (x: number) => left + ((x - t0) / Math.max(t1 - t0, 1e-9)) * plotW;
  const Y = (v: number) => top + plotH - (v / max) * plotH;
  g.font = "11px sans-serif";
  g.strokeStyle = grid;
  g.fillStyle = fg;
  yGrid(g, left, top, plotW, plotH, max, fmtBytes);
  g.textAlign = "center";
  g.textBaseline = "top";
  for (let i = 0; i <= 4; i++) {
    g.textAlign = i === 0 ? "left" : i === 4 ? "right" : "center";
    g.fillText(fmtUs(((t1 - t0) * i) / 4), left + (plotW * i) / 4, top + plotH + 6);
  }
  const line = (vs: (number | null)[], color: string) => {
    g.strokeStyle = color;
    g.lineWidth = 1.5;
    g.beginPath();
    let on = false;
    vs.forEach((v, i) => {
      if (v === null) {
        on = false;
        return;
      }
      // a step line: memory stays at a value until the next event
      if (on) g.lineTo(X(t[i]), Y(vs[i - 1] as number));
      if (on) g.lineTo(X(t[i]), Y(v));
      else g.moveTo(X(t[i]), Y(v));
      on = true;
    });
    g.stroke();
  };
  if (reserved.some((v) => v !== null && v > 0)) line(reserved, "#ff9900");
  line(alloc, "#3366cc");
  g.strokeStyle = "#d62728";
  g.setLineDash([4, 3]);
  g.beginPath();
  g.moveTo(X(peakT), top);
  g.lineTo(X(peakT), top + plotH);
  g.stroke();
  g.setLineDash([]);
}

function memory(p: ProfileInfo, root: HTMLElement): HTMLElement {
  const box = el("div");
  for (const [dev, c] of Object.entries(p.meta.memory)) {
    box.append(el("h4", undefined, `${dev}: peak ${fmtBytes(c.peak)} allocated at ${fmtUs(c.peak_t)} (${c.events} memory events)`));
    const legend = el("div", "nbb-prof-legend");
    const a = el("span", undefined, "allocated");
    a.style.borderColor = "#3366cc";
    legend.append(a);
    if (c.reserved.some((v) => v !== null && v > 0)) {
      const r = el("span", undefined, "reserved");
      r.style.borderColor = "#ff9900";
      legend.append(r);
    }
    const pk = el("span", undefined, "peak");
    pk.style.borderColor = "#d62728";
    legend.append(pk);
    const canvas = el("canvas", "nbb-prof-mem");
    canvas.dataset.device = dev;
    box.append(legend, canvas);
    const draw = () => drawMemory(canvas, c.t, c.allocated, c.reserved, c.peak_t, Math.max(320, (root.clientWidth || 760) - 24), cssVar(root, "--nbb-fg2", "#555"), cssVar(root, "--nbb-border", "#ddd"));
    requestAnimationFrame(draw);
    draw();
  }
  if (p.meta.top_allocators.length) {
    box.append(el("h4", undefined, "Operators that allocate most"));
    const table = el("table", "nbb-prof-table");
    const head = el("tr");
    head.append(th("Operator"), th("Allocations"), th("Bytes allocated"));
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const r of p.meta.top_allocators) {
      const tr = el("tr");
      tr.append(td(r.name, "nbb-prof-name"), td(String(r.allocations), "nbb-num"), td(fmtBytes(r.bytes), "nbb-num"));
      body.append(tr);
    }
    table.append(thead, body);
    box.append(table);
  }
  return box;
}

// ---- modules ---------------------------------------------------------------------------------------
function modules(p: ProfileInfo, collapsed: Set<string>, save: () => void): HTMLElement {
  const box = el("div");
  const table = el("table", "nbb-prof-table nbb-prof-modules");
  const rowsAll = p.meta.modules;
  const maxT = Math.max(1, ...rowsAll.map((r) => r.host_total));
  const draw = () => {
    const head = el("tr");
    head.append(th("Module"), th("Calls"), th("Host total"), th("Device total"), th(""));
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const r of visibleModules(rowsAll, collapsed)) {
      const tr = el("tr");
      tr.dataset.path = r.path;
      const name = el("td", "nbb-prof-name");
      name.style.paddingLeft = `${8 + 16 * r.depth}px`;
      const kids = hasChildren(rowsAll, r.path);
      const tog = el("span", "nbb-prof-toggle", kids ? (collapsed.has(r.path) ? "▸" : "▾") : "·");
      name.append(tog, document.createTextNode(r.name));
      if (kids) {
        name.style.cursor = "pointer";
        name.addEventListener("click", () => {
          if (collapsed.has(r.path)) collapsed.delete(r.path);
          else collapsed.add(r.path);
          save();
          draw();
        });
      }
      const barCell = el("td", "nbb-prof-barcell");
      const b = el("div", "nbb-prof-minibar");
      b.style.width = `${(100 * r.host_total) / maxT}%`;
      barCell.append(b);
      tr.append(name, td(String(r.calls), "nbb-num"), td(fmtUs(r.host_total), "nbb-num"), td(r.device_total ? fmtUs(r.device_total) : "", "nbb-num"), barCell);
      body.append(tr);
    }
    table.replaceChildren(thead, body);
  };
  draw();
  box.append(table);
  return box;
}

// ---- recommendations -----------------------------------------------------------------------------------
function advice(p: ProfileInfo): HTMLElement {
  const box = el("div", "nbb-prof-advice");
  if (!p.meta.recommendations.length) box.append(el("div", "nbb-empty", "Nothing to recommend for this profile."));
  for (const r of p.meta.recommendations) {
    const card = el("div", "nbb-prof-card");
    card.dataset.id = r.id;
    card.append(el("div", "nbb-prof-figure", r.figure), el("div", undefined, r.text));
    box.append(card);
  }
  return box;
}

// ---- distributed ---------------------------------------------------------------------------------
/** The parts of a rank's step in the Distributed tab, in bar order, with torch-tb-profiler's colours. */
const DIST_PARTS = [
  ["computation", "Computation", "#3366cc", "computing only"],
  ["overlap", "Overlapping", "#109618", "computing while communicating"],
  ["transfer", "Communication", "#ff9900", "communicating only, as long as the fastest rank's collectives took"],
  ["waiting", "Waiting", "#dc3912", "communicating beyond the fastest rank: waiting for the others"],
  ["other", "Other", "#bbbbbb", "neither (Python, the data loader, sleeps)"],
] as const;

function distributedTab(profiles: readonly ProfileInfo[], p: ProfileInfo): HTMLElement {
  const box = el("div", "nbb-prof-dist");
  const rep = distributedReport(profiles, p);
  const d = p.meta.distributed;
  if (!rep) {
    const who = d?.rank !== null && d?.rank !== undefined ? `rank ${d.rank}` : p.worker;
    box.append(el("div", "nbb-empty", `Only ${who}'s profile of this job is here${d?.world_size ? ` (world size ${d.world_size})` : ""}; the other ranks' appear as their traces are written.`));
    return box;
  }
  const n = rep.rows.length;
  const stepText = rep.steps.length ? `profiled step${rep.steps.length === 1 ? "" : "s"} ${rep.steps.join(", ")} (mean per step)` : "each rank's own steps (no step is in every profile)";
  box.append(el("div", "nbb-prof-hint", `${n} ranks${rep.backend ? ` · ${rep.backend}` : ""} · ${stepText}`));
  const verdict = el("div", "nbb-prof-card nbb-prof-verdict");
  if (rep.straggler) {
    const others = rep.rows.filter((r) => r !== rep.straggler);
    const most = others.reduce((a, b) => (b.waiting > a.waiting ? b : a));
    verdict.dataset.straggler = rep.straggler.label;
    verdict.append(
      el("div", "nbb-prof-figure", `Rank ${rep.straggler.label} is the one the others wait for`),
      el("div", undefined, `It waits ${rep.straggler.waiting > 0 ? fmtUs(rep.straggler.waiting) : "no time"} per step in its collectives; rank ${most.label} waits ${fmtUs(most.waiting)}. The time rank ${rep.straggler.label} spends before reaching a collective (computation ${fmtUs(rep.straggler.computation)}, other ${fmtUs(rep.straggler.other)} per step) is what the job runs at: balance its work or its input.`),
    );
  } else {
    verdict.append(el("div", "nbb-prof-figure", "The ranks are in balance"), el("div", undefined, "No rank waits for the others more than 5 % of a step longer than the rest."));
  }
  box.append(verdict);
  const legend = el("div", "nbb-prof-distlegend");
  for (const [, label, color, title] of DIST_PARTS) {
    const sw = el("span", "nbb-prof-swatch");
    sw.style.background = color;
    const l = el("span", undefined, label);
    l.prepend(sw);
    l.title = title;
    legend.append(l);
  }
  box.append(legend);
  const longest = Math.max(...rep.rows.map((r) => r.duration), 1);
  const table = el("table", "nbb-prof-table nbb-prof-disttable");
  const head = el("tr");
  head.append(th("Rank"), th("Step", "Step time, mean per step"), th(""), ...DIST_PARTS.map(([, label, , title]) => th(label, title)));
  for (const c of [...head.children].slice(1)) c.classList.add("nbb-num");
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  for (const r of rep.rows) {
    const tr = el("tr");
    tr.dataset.rank = r.label;
    const parts: Record<string, number> = {
      computation: r.computation, overlap: r.overlap, transfer: Math.max(0, r.communication - r.waiting),
      waiting: Math.min(r.waiting, r.communication + r.overlap), other: r.other,
    };
    const barCell = el("td", "nbb-prof-distbar-cell");
    const bar = el("div", "nbb-prof-bar nbb-prof-distbar");
    bar.style.width = `${(100 * r.duration) / longest}%`;
    for (const [key, label, color] of DIST_PARTS) {
      const v = parts[key];
      if (!(v > 0)) continue;
      const seg = el("div", "nbb-prof-seg");
      seg.style.width = `${(100 * v) / Math.max(r.duration, 1e-9)}%`;
      seg.style.background = color;
      seg.title = `${label}: ${fmtUs(v)}`;
      seg.dataset.part = key;
      bar.append(seg);
    }
    barCell.append(bar);
    const who = td(r.label);
    who.title = `${r.profile.run} · ${r.profile.worker} · step ${r.profile.step}`;
    tr.append(who, td(fmtUs(r.duration), "nbb-num"), barCell,
      ...DIST_PARTS.map(([key]) => td(fmtUs(parts[key]), "nbb-num")));
    if (rep.straggler === r) tr.classList.add("nbb-prof-straggler");
    body.append(tr);
  }
  table.append(thead, body);
  box.append(table);
  // each rank's collectives
  box.append(el("h4", undefined, "Collectives per rank"));
  const ops = el("table", "nbb-prof-table nbb-prof-commops");
  const oh = el("tr");
  oh.append(th("Rank"), th("Collective"), th("Calls"), th("Total"), th("Mean"));
  for (const c of [...oh.children].slice(2)) c.classList.add("nbb-num");
  const ot = el("thead");
  ot.append(oh);
  const ob = el("tbody");
  for (const r of rep.rows)
    for (const o of (r.profile.meta.distributed?.comm_ops ?? []).slice(0, 8)) {
      const tr = el("tr");
      tr.append(td(r.label), td(o.name, "nbb-prof-name"), td(o.calls.toLocaleString(), "nbb-num"), td(fmtUs(o.total), "nbb-num"), td(fmtUs(o.total / Math.max(o.calls, 1)), "nbb-num"));
      ob.append(tr);
    }
  ops.append(ot, ob);
  box.append(ops);
  return box;
}

// ---- compare -------------------------------------------------------------------------------------
interface CmpState {
  base: string;
  other: string;
  key: CmpField | "";
  query: string;
}

const CMP_LABELS: Record<CmpField, string> = {
  calls: "Calls", host_self: "Host self", host_total: "Host total", device_self: "Device self", device_total: "Device total",
};

function signed(v: number, fmt: (x: number) => string): string {
  if (v === 0) return "0";
  return (v > 0 ? "+" : "−") + fmt(Math.abs(v));
}

function fmtCalls(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString() : v.toFixed(1);
}

function compareTab(profiles: readonly ProfileInfo[], st: CmpState, save: () => void): HTMLElement {
  const box = el("div", "nbb-prof-compare");
  const choices = compareChoices(profiles);
  const [b0, o0] = defaultSides(choices);
  if (!choices.some((c) => c.value === st.base)) st.base = b0;
  if (!choices.some((c) => c.value === st.other)) st.other = o0;
  const bar = el("div", "nbb-toolbar");
  const pickSide = (cls: string, label: string, value: string, set: (v: string) => void) => {
    const lab = el("label", "nbb-prof-side");
    const sel = el("select", `nbb-prof-pick ${cls}`);
    sel.replaceChildren(...choices.map((c) => {
      const o = el("option", undefined, c.label);
      o.value = c.value;
      return o;
    }));
    sel.value = value;
    sel.addEventListener("change", () => {
      set(sel.value);
      save();
      draw();
    });
    lab.append(document.createTextNode(label + " "), sel);
    return lab;
  };
  const search = el("input", "nbb-prof-search nbb-prof-cmp-search");
  search.type = "search";
  search.placeholder = "Search operators";
  search.value = st.query;
  bar.append(pickSide("nbb-prof-cmp-base", "Baseline", st.base, (v) => (st.base = v)),
    pickSide("nbb-prof-cmp-other", "vs", st.other, (v) => (st.other = v)), search);
  const summary = el("div", "nbb-prof-hint");
  const table = el("table", "nbb-prof-table nbb-prof-cmptable");
  const scroll = el("div", "nbb-prof-scroll"); // never wider than the view: a narrow notebook scrolls it
  scroll.append(table);
  box.append(bar, summary, scroll);
  const draw = () => {
    const b = choices.find((c) => c.value === st.base), o = choices.find((c) => c.value === st.other);
    if (!b || !o) {
      summary.textContent = "No operators per step in these profiles (recorded by an older nbboard: read the trace files again).";
      table.replaceChildren();
      return;
    }
    const bt = opTable(b.profile.meta.step_operators!, b.step), ot = opTable(o.profile.meta.step_operators!, o.step);
    const device = [...bt.values(), ...ot.values()].some((r) => r.device_total > 0);
    const fields = CMP_FIELDS.filter((f) => device || (f !== "device_self" && f !== "device_total"));
    const key: CmpField = st.key && fields.includes(st.key) ? st.key : device ? "device_self" : "host_self";
    const rows = compareOps(bt, ot, key, st.query);
    let hb = 0, ho = 0;
    for (const r of bt.values()) hb += r.host_self;
    for (const r of ot.values()) ho += r.host_self;
    summary.textContent = `Host self time of the operators per step: ${fmtUs(hb)} → ${fmtUs(ho)} (${signed(ho - hb, fmtUs)}${hb > 0 ? `, ${signed((100 * (ho - hb)) / hb, (x) => x.toFixed(1))}%` : ""}). ` +
      `${rows.length} operator${rows.length === 1 ? "" : "s"}, by the size of the change in ${CMP_LABELS[key].toLowerCase()}; a cycle is its mean per step.`;
    const h1 = el("tr"), h2 = el("tr");
    const nameTh = th("Operator");
    nameTh.rowSpan = 2;
    h1.append(nameTh);
    for (const f of fields) {
      const c = th(CMP_LABELS[f] + (f === key ? " ▼" : ""), `sort by the size of the change in ${CMP_LABELS[f].toLowerCase()}`);
      c.colSpan = 3;
      c.className = "nbb-prof-sortable";
      c.dataset.key = f;
      c.addEventListener("click", () => {
        st.key = f;
        save();
        draw();
      });
      h1.append(c);
      h2.append(th("baseline"), th("other"), th("Δ"));
    }
    const thead = el("thead");
    thead.append(h1, h2);
    const body = el("tbody");
    for (const r of rows.slice(0, MAX_ROWS)) {
      const tr = el("tr");
      tr.dataset.name = r.name;
      const name = td(r.name, "nbb-prof-name");
      name.title = r.name;
      tr.append(name);
      for (const f of fields) {
        const fmt = f === "calls" ? fmtCalls : fmtUs;
        const d = r.delta[f];
        const dc = td(signed(d, fmt), `nbb-num nbb-prof-delta${d > 0 ? " nbb-prof-up" : d < 0 ? " nbb-prof-down" : ""}`);
        dc.dataset.field = f;
        dc.dataset.delta = String(d);
        tr.append(td(fmt(r.base[f]), "nbb-num"), td(fmt(r.other[f]), "nbb-num"), dc);
      }
      body.append(tr);
    }
    table.replaceChildren(thead, body);
  };
  search.addEventListener("input", () => {
    st.query = search.value;
    save();
    draw();
  });
  draw();
  return box;
}

// ---- trace timeline ----------------------------------------------------------------------------------
const ROW_H = 16;
/** At most this many flow arrows a frame (beyond it they are clutter, and cost a software-rendered frame its budget). */
const MAX_ARROWS = 800;
const LABEL_W = 150;

/** The flow arrows' colours by kind. */
const FLOW_COLORS: Record<string, string> = { ac2g: "#d62728", fwdbwd: "#7b3fb3", other: "#444" };

/** The arrows of one kind (one colour): each a curve from (x0, y0) to (x1, y1) leaving and
 * entering horizontally, its head at the end. (One path per arrow: Chromium's software
 * rasteriser is slower on one path of a thousand overlapping curves.) */
function drawArrows(g: CanvasRenderingContext2D, lines: Float64Array, kinds: Int32Array, kind: number): void {
  for (let k = 0; k < kinds.length; k++) {
    if (kinds[k] !== kind) continue;
    const x0 = lines[4 * k], y0 = lines[4 * k + 1], x1 = lines[4 * k + 2], y1 = lines[4 * k + 3];
    const bend = Math.min(40, Math.max(8, Math.abs(x1 - x0) / 2));
    g.beginPath();
    g.moveTo(x0, y0);
    g.bezierCurveTo(x0 + bend, y0, x1 - bend, y1, x1, y1);
    g.stroke();
  }
  // the heads: small disjoint triangles, one fill for all
  g.beginPath();
  for (let k = 0; k < kinds.length; k++) {
    if (kinds[k] !== kind) continue;
    const x1 = lines[4 * k + 2], y1 = lines[4 * k + 3];
    g.moveTo(x1, y1);
    g.lineTo(x1 - 6, y1 - 3.5);
    g.lineTo(x1 - 6, y1 + 3.5);
    g.closePath();
  }
  g.fill();
}

interface TraceState {
  query: string;
  flows: boolean;
}

function traceView(t: Timeline, root: HTMLElement, st: TraceState, save: () => void): { el: HTMLElement; dispose: () => void } {
  const box = el("div", "nbb-prof-trace");
  const bar = el("div", "nbb-toolbar");
  const search = el("input", "nbb-prof-search nbb-prof-trace-search");
  search.type = "search";
  search.placeholder = "Search events by name (Enter: next)";
  search.value = st.query;
  const count = el("span", "nbb-status-text");
  const reset = el("button", "nbb-btn", "Reset zoom");
  reset.type = "button";
  const flowBox = el("label", "nbb-prof-check nbb-prof-flows");
  const flowToggle = el("input");
  flowToggle.type = "checkbox";
  flowToggle.checked = st.flows;
  flowBox.append(flowToggle, document.createTextNode(" Flows"));
  flowBox.title = "Arrows from a launch to the kernel it launched (ac2g) and from a forward op to its backward op (fwdbwd)";
  bar.append(search, reset);
  if (t.flowSrc.length) bar.append(flowBox);
  bar.append(count, el("span", "nbb-prof-hint", "wheel: zoom · drag: pan · click: details"));
  const wrap = el("div", "nbb-prof-trace-wrap");
  const canvas = el("canvas", "nbb-prof-trace-canvas");
  wrap.append(canvas);
  const detail = el("div", "nbb-prof-detail");
  detail.append(el("div", "nbb-prof-hint", "Click an event for its details."));
  box.append(bar, wrap, detail);
  const lanes = layoutLanes(t);
  const rowOf = new Map(lanes.map((l) => [l.lane, l.row0]));
  const rows = lanes.reduce((a, l) => a + l.rows, 0);
  const index = rowIndex(t, rowOf, rows);
  const colors = t.names.map(nameColor);
  const runs: number[] = [];
  const axisH = 20;
  const height = axisH + rows * ROW_H + 4;
  let t0 = 0, t1 = Math.max(t.end, 1);
  let mask = searchMask(t, st.query);
  let selected = -1;
  let frame = 0;
  const width = () => Math.max(400, (root.clientWidth || 900) - 24);
  const draw = () => {
    frame = 0;
    const started = performance.now();
    const w = width();
    const g = sizeCanvas(canvas, w, height);
    const plotW = w - LABEL_W;
    const scale = plotW / (t1 - t0);
    const fg = cssVar(root, "--nbb-fg2", "#555"), grid = cssVar(root, "--nbb-border", "#ddd");
    g.font = "11px sans-serif";
    g.textBaseline = "middle";
    // time axis
    g.fillStyle = fg;
    g.strokeStyle = grid;
    for (let i = 0; i <= 6; i++) {
      const x = LABEL_W + (plotW * i) / 6;
      g.beginPath();
      g.moveTo(Math.round(x) + 0.5, axisH - 4);
      g.lineTo(Math.round(x) + 0.5, height);
      g.stroke();
      g.textAlign = i === 0 ? "left" : i === 6 ? "right" : "center";
      g.fillText(fmtUs(t0 + ((t1 - t0) * i) / 6), x, 8);
    }
    // lanes
    for (const l of lanes) {
      const y = axisH + l.row0 * ROW_H;
      g.fillStyle = fg;
      g.textAlign = "left";
      g.fillText(t.lanes[l.lane] ?? String(l.lane), 4, y + ROW_H / 2, LABEL_W - 8);
      g.strokeStyle = grid;
      g.beginPath();
      g.moveTo(0, y + 0.5);
      g.lineTo(w, y + 0.5);
      g.stroke();
    }
    // events, row by row in start order from the window's start: an event ≥ 1 px is drawn, narrower
    // ones within a pixel of each other merge into one rect (their longest event's colour)
    let shown = 0;
    for (let r = 0; r < rows; r++) {
      runs.length = 0;
      rowRuns(t, index, r, t0, t1, LABEL_W, scale, mask, runs);
      const y = axisH + r * ROW_H + 1;
      for (let k = 0; k < runs.length; k += 5) {
        const x0 = runs[k], wpx = runs[k + 1] - x0, i = runs[k + 2];
        const dim = runs[k + 4] === 0;
        g.globalAlpha = dim ? 0.15 : 1;
        g.fillStyle = colors[t.name[i]] ?? "#999";
        g.fillRect(x0, y, wpx, ROW_H - 2);
        if (wpx > 40 && !dim) {
          g.fillStyle = "#111";
          g.textAlign = "left";
          g.fillText(t.names[t.name[i]] ?? "", x0 + 3, y + (ROW_H - 2) / 2, wpx - 6);
        }
        shown++;
      }
    }
    if (selected >= 0 && t.start[selected] <= t1 && t.start[selected] + t.dur[selected] >= t0) {
      const i = selected;
      const x0 = LABEL_W + Math.max(t.start[i] - t0, 0) * scale;
      const x1 = LABEL_W + Math.min(t.start[i] + t.dur[i] - t0, t1 - t0) * scale;
      g.globalAlpha = 1;
      g.strokeStyle = "#d62728";
      g.lineWidth = 2;
      g.strokeRect(x0, axisH + ((rowOf.get(t.lane[i]) ?? 0) + t.depth[i]) * ROW_H + 1, Math.max(x1 - x0, 1), ROW_H - 2);
      g.lineWidth = 1;
    }
    g.globalAlpha = 1;
    // flow arrows between the events in view
    let arrowCount = 0;
    if (st.flows && t.flowSrc.length) {
      const fl = flowLines(t, rowOf, t0, t1, { left: LABEL_W, width: plotW, top: axisH, rowH: ROW_H }, MAX_ARROWS);
      g.save();
      g.beginPath();
      g.rect(LABEL_W, axisH, plotW, height - axisH);
      g.clip();
      g.lineWidth = 1.25;
      g.globalAlpha = 0.85;
      t.flowKinds.forEach((name, kind) => {
        g.strokeStyle = g.fillStyle = FLOW_COLORS[name] ?? FLOW_COLORS.other;
        drawArrows(g, fl.lines, fl.kinds, kind);
      });
      g.restore();
      arrowCount = fl.count;
    }
    canvas.dataset.arrows = String(arrowCount);
    canvas.dataset.frameMs = (performance.now() - started).toFixed(2);
    canvas.dataset.drawn = String(shown);
    canvas.dataset.window = `${t0.toFixed(3)},${t1.toFixed(3)}`;
  };
  const later = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };
  const timeAt = (clientX: number) => {
    const r = canvas.getBoundingClientRect();
    return t0 + ((clientX - r.left - LABEL_W) / (r.width - LABEL_W)) * (t1 - t0);
  };
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    [t0, t1] = zoom(t0, t1, timeAt(e.clientX), e.deltaY > 0 ? 1.25 : 0.8, Math.max(t.end, 1));
    later();
  }, { passive: false });
  let drag: { x: number; t0: number; t1: number; moved: boolean } | null = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, t0, t1, moved: false };
    canvas.setPointerCapture?.(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const r = canvas.getBoundingClientRect();
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 2) drag.moved = true;
    [t0, t1] = pan(drag.t0, drag.t1, (-dx / (r.width - LABEL_W)) * (drag.t1 - drag.t0), Math.max(t.end, 1));
    later();
  });
  canvas.addEventListener("pointerup", (e) => {
    const d = drag;
    drag = null;
    if (!d || d.moved) return;
    const r = canvas.getBoundingClientRect();
    const row = Math.floor((e.clientY - r.top - axisH) / ROW_H);
    const slack = (3 / (r.width - LABEL_W)) * (t1 - t0);
    select(hit(t, lanes, row, timeAt(e.clientX), slack), false);
  });
  /** Select event `i` (and with `go`, bring it into view: the window centred on it, its row scrolled to). */
  const select = (i: number, go: boolean) => {
    selected = i;
    if (go && i >= 0) {
      [t0, t1] = focusWindow(t0, t1, t.start[i], t.start[i] + t.dur[i], Math.max(t.end, 1));
      const y = axisH + ((rowOf.get(t.lane[i]) ?? 0) + t.depth[i]) * ROW_H;
      if (y < wrap.scrollTop || y + ROW_H > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = Math.max(0, y - wrap.clientHeight / 2);
    }
    canvas.dataset.selected = i >= 0 ? (t.names[t.name[i]] ?? "") : "";
    showEvent(detail, t, selected, (j) => select(j, true));
    later();
  };
  flowToggle.addEventListener("change", () => {
    st.flows = flowToggle.checked;
    save();
    later();
  });
  reset.addEventListener("click", () => {
    [t0, t1] = [0, Math.max(t.end, 1)];
    later();
  });
  const setCount = () => {
    let k = 0;
    if (mask) for (let i = 0; i < t.n; i++) k += mask[i];
    count.textContent = mask ? `${k.toLocaleString()} of ${t.n.toLocaleString()} events match` : `${t.n.toLocaleString()} events`;
  };
  search.addEventListener("input", () => {
    st.query = search.value;
    save();
    mask = searchMask(t, st.query);
    setCount();
    later();
  });
  search.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || !mask) return;
    e.preventDefault();
    const j = nextMatch(t, mask, selected);
    if (j >= 0) select(j, true);
  });
  setCount();
  requestAnimationFrame(draw);
  draw();
  return { el: box, dispose: () => cancelAnimationFrame(frame) };
}

const REL_TEXT: Record<string, string> = {
  launched: "launched kernel", "launched by": "launched by", backward: "backward:", "backward of": "backward of",
  "flow to": "flow to", "flow from": "flow from",
};

function showEvent(box: HTMLElement, t: Timeline, i: number, go: (j: number) => void): void {
  if (i < 0) {
    box.replaceChildren(el("div", "nbb-prof-hint", "Click an event for its details."));
    return;
  }
  const nameOf = (j: number) => t.names[t.name[j]] ?? "";
  const parts: HTMLElement[] = [
    el("div", "nbb-prof-detail-name", nameOf(i)),
    el("div", undefined, `Category: ${t.cats[t.cat[i]] ?? ""} · lane ${t.lanes[t.lane[i]] ?? ""} · depth ${t.depth[i]}`),
    el("div", undefined, `Start ${fmtUs(t.start[i])} · duration ${fmtUs(t.dur[i])}`),
  ];
  const links = flowLinks(t, i);
  for (const l of links) {
    const row = el("div", "nbb-prof-flow");
    row.dataset.rel = l.rel;
    // a device copy is "launched" too: say what it is rather than "kernel"
    const rel = l.rel === "launched" && !/kernel/.test(t.cats[t.cat[l.other]] ?? "") ? "launched" : REL_TEXT[l.rel];
    row.append(document.createTextNode(`${rel} `));
    const link = el("button", "nbb-btn nbb-prof-jump", nameOf(l.other));
    link.type = "button";
    link.title = `Go to it (${fmtUs(t.start[l.other])}, lane ${t.lanes[t.lane[l.other]] ?? ""})`;
    link.addEventListener("click", () => go(l.other));
    row.append(link);
    if (l.via >= 0) row.append(document.createTextNode(l.rel === "launched by" ? ` (op ${nameOf(l.via)})` : ` (by ${nameOf(l.via)})`));
    parts.push(row);
  }
  box.replaceChildren(...parts);
}

// ---- the view ----------------------------------------------------------------------------------------
function render(root: HTMLElement, ctx: ViewContext): () => void {
  injectCss("nbboard-profiler-1", css, root);
  const top = el("div", "nbb-toolbar");
  const pick = el("select", "nbb-prof-pick");
  pick.title = "Profile: run · worker · step (one profiler cycle)";
  const info = el("span", "nbb-status-text");
  top.append(pick, info);
  const tabsBar = el("div", "nbb-prof-tabs");
  const body = el("div", "nbb-prof-body");
  const empty = el("div", "nbb-empty", "No profiles yet. Profile with on_trace_ready=writer.profiler_handler() or torch.profiler.tensorboard_trace_handler(logdir).");
  const problems = el("div", "nbb-prof-problems");
  root.append(top, problems, empty, tabsBar, body);
  const ops: OpState = { query: "", key: "host_total", desc: true, byShape: false, selected: "", ...ctx.ui.get<Partial<OpState>>("profiler_ops", {}) } as OpState;
  const collapsed = new Set<string>(ctx.ui.get<string[]>("profiler_collapsed", []));
  let tab = ctx.ui.get<string>("profiler_tab", "overview");
  let chosen = ctx.ui.get<string>("profiler_profile", ""); // "" follows the newest profile
  let profiles: ProfileInfo[] = [];
  let shownKey = "";
  const saveOps = () => ctx.ui.set("profiler_ops", { ...ops });
  const saveTree = () => ctx.ui.set("profiler_collapsed", [...collapsed]);
  const cmp: CmpState = { base: "", other: "", key: "", query: "", ...ctx.ui.get<Partial<CmpState>>("profiler_compare", {}) };
  const saveCmp = () => ctx.ui.set("profiler_compare", { ...cmp });

  const traceState: TraceState = { query: ctx.ui.get<string>("profiler_trace_query", ""), flows: ctx.ui.get<boolean>("profiler_flows", true) };
  let disposeTrace = () => {};
  const timelines = new Map<Rec, Timeline | null>();
  const traceTab = (p: ProfileInfo): HTMLElement => {
    let t = p.rec ? timelines.get(p.rec) : null;
    if (t === undefined && p.rec) {
      t = decodeTimeline(p.rec);
      timelines.set(p.rec, t);
    }
    if (!t) return el("div", "nbb-empty", "This profile has no timeline.");
    const v = traceView(t, root, traceState, () => {
      ctx.ui.set("profiler_trace_query", traceState.query);
      ctx.ui.set("profiler_flows", traceState.flows);
    });
    disposeTrace = v.dispose;
    return v.el;
  };
  const current = (): ProfileInfo | undefined => profiles.find((p) => p.id === chosen) ?? profiles[profiles.length - 1];

  const drawBody = () => {
    const p = current();
    if (!p) return;
    const tabs = tabsFor(p.meta);
    if (!tabs.includes(tab)) tab = "overview";
    tabsBar.replaceChildren(...tabs.map((t) => {
      const b = el("button", `nbb-btn nbb-prof-tab${t === tab ? " nbb-on" : ""}`, TAB_LABELS[t]);
      b.type = "button";
      b.dataset.tab = t;
      b.addEventListener("click", () => {
        tab = t;
        ctx.ui.set("profiler_tab", t);
        drawBody();
      });
      return b;
    }));
    root.dataset.tab = tab;
    disposeTrace();
    disposeTrace = () => {};
    const content =
      tab === "operators" ? operators(p, ops, saveOps)
      : tab === "kernels" ? kernels(p)
      : tab === "memory" ? memory(p, root)
      : tab === "modules" ? modules(p, collapsed, saveTree)
      : tab === "advice" ? advice(p)
      : tab === "trace" ? traceTab(p)
      : tab === "compare" ? compareTab(profiles, cmp, saveCmp)
      : tab === "distributed" ? distributedTab(profiles, p)
      : overview(p, profiles, root);
    body.replaceChildren(content);
  };

  const draw = () => {
    profiles = collectProfiles(ctx.records.ofKind(KIND)).filter((p) => ctx.filters.runShown(p.run));
    root.dataset.profiles = String(profiles.length);
    // trace files the kernel could not read: each named with what is wrong (nothing else is lost)
    const bad = ctx.records.problems.filter((p) => p.kind === KIND && ctx.filters.runShown(p.run));
    root.dataset.problems = String(bad.length);
    problems.style.display = bad.length ? "" : "none";
    problems.replaceChildren(el("div", "nbb-prof-problems-head", `${bad.length} trace file${bad.length === 1 ? "" : "s"} could not be read:`),
      ...bad.map((p) => {
        const row = el("div", "nbb-prof-problem", `${p.run}: ${p.message}`);
        row.dataset.file = p.file;
        return row;
      }));
    empty.style.display = profiles.length ? "none" : "";
    tabsBar.style.display = body.style.display = top.style.display = profiles.length ? "" : "none";
    pick.replaceChildren(...profiles.map((p) => {
      const o = el("option", undefined, `${p.run} · ${p.worker} · step ${p.step}`);
      o.value = p.id;
      return o;
    }));
    const p = current();
    if (!p) return;
    pick.value = p.id;
    const recd = p.meta.span.recorded ?? {};
    const on = Object.entries(recd).filter(([, v]) => v).map(([k]) => k);
    info.textContent = `${p.meta.span.events.toLocaleString()} events · ${p.meta.steps.length} steps${on.length ? " · " + on.join(", ") : ""}`;
    const key = p.id + "|" + profiles.length;
    if (key !== shownKey) {
      shownKey = key;
      drawBody();
    }
  };
  pick.addEventListener("change", () => {
    const last = profiles[profiles.length - 1];
    chosen = pick.value === last?.id ? "" : pick.value;
    ctx.ui.set("profiler_profile", chosen);
    draw();
  });
  draw();
  const unsub = ctx.records.subscribe((changed, structural) => {
    if (structural || [...changed].some((s) => s.kind === KIND)) draw();
  });
  const unfilter = ctx.filters.subscribe(() => draw());
  return () => {
    unsub();
    unfilter();
    disposeTrace();
  };
}

export const profilerView: ViewSpec = {
  kind: "profiler", label: "Profiler", order: 75, render,
  // with profiles, or trace files that could not be read (the view says what is wrong with them)
  present: (ctx) => hasRecords(KIND)(ctx) || ctx.records.problems.some((p) => p.kind === KIND),
};
