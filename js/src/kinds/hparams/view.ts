/**
 * HParams: every session logged by add_hparams in a sortable, filterable table, as parallel
 * coordinates, and as a scatter of each hparam against each metric. Dragging along an axis of
 * the parallel coordinates brushes it: sessions outside every brush fade in all three views
 * (click the axis to clear its brush). Clicking a session's run (in a Board) opens its scalars.
 */
import { fmtTick } from "../../view/charts";
import {
  axisScale,
  axisTicks,
  brushFromPositions,
  brushSpan,
  cell,
  columns,
  filterSessions,
  inBrushes,
  loadBrushes,
  parseRange,
  sortSessions,
  type AxisScale,
  type Brush,
  type Cell,
  type Column,
  type Session,
} from "./hparams_table";
import { metricColor, pageBounds, SCALE_MODES, type ScaleMode } from "./scales";
import { num } from "../../lib/records";
import { hasPlugin, type ViewContext, type ViewSpec } from "../../view/context";
import { el } from "../../view/dom";
import { toolbar } from "../../view/filters";

const SVG = "http://www.w3.org/2000/svg";
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, cls?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (cls) e.setAttribute("class", cls);
  return e;
}

function cellValue(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "number") return v;
  const s = String(v);
  const lower = s.toLowerCase();
  if (lower === "nan" || lower === "inf" || lower === "-inf" || lower === "+inf") return num(s);
  return s;
}

function sessionsOf(plugins: Map<string, Record<string, unknown>>): Session[] {
  const out: Session[] = [];
  for (const [run, p] of plugins) {
    const hp = p.hparams as { hparams?: Record<string, unknown>; metrics?: Record<string, unknown> } | undefined;
    if (!hp) continue;
    const h: Record<string, Cell> = {}, m: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(hp.hparams ?? {})) h[k] = cellValue(v);
    for (const [k, v] of Object.entries(hp.metrics ?? {})) m[k] = cellValue(v);
    out.push({ run, hparams: h, metrics: m });
  }
  return out;
}

function fmtCell(v: Cell): string {
  if (v === null) return "—";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : fmtTick(v);
  return String(v);
}

const PAGE_SIZES = [10, 25, 50, 100, 500];

function loadScales(raw: unknown): Record<string, ScaleMode> {
  const out: Record<string, ScaleMode> = {};
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (SCALE_MODES.includes(v as ScaleMode)) out[k] = v as ScaleMode;
  }
  return out;
}

function render(host: HTMLElement, ctx: ViewContext): () => void {
  let sortKey = ctx.ui.get<string>("hparams_sort", "run");
  let sortDir: 1 | -1 = ctx.ui.get<number>("hparams_dir", 1) === -1 ? -1 : 1;
  let text = ctx.ui.get<string>("hparams_filter", "");
  const ranges: Record<string, [number, number]> = {};
  /** Column key → brush, in data values; kept while its column is not shown (another run filter, a new session). */
  const brushes: Record<string, Brush> = loadBrushes(ctx.ui.get<unknown>("hparams_brush", {}));
  /** Runs passing the brushes (recomputed on every draw and brush change). */
  let brushedRuns = new Set<string>();
  let highlight: string | null = null;
  let lastW = 0;
  /** Column key → its axis scale (auto, linear, log, quantile), as TensorBoard's per-column setting. */
  const scaleModes = loadScales(ctx.ui.get<unknown>("hparams_scales", {}));
  /** Colour sessions by a metric ("" → by run). */
  let colorBy = ctx.ui.get<string>("hparams_color", "");
  let pageSize = ctx.ui.get<number>("hparams_page_size", 50);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) pageSize = 50;
  let page = 0;
  /** The colour of each session's line and points (by run, or by the chosen metric). */
  let colorOf = (run: string): string => ctx.colors.get(run);

  const filt = el("label", "nbb-field nbb-v-hp-filter");
  filt.appendChild(el("span", "nbb-label", "Sessions"));
  const inp = el("input", "nbb-input");
  inp.type = "text";
  inp.placeholder = "filter, e.g. adam or /lr=0\\.1/";
  inp.value = text;
  inp.addEventListener("input", () => {
    text = inp.value;
    ctx.ui.set("hparams_filter", text);
    draw();
  });
  filt.appendChild(inp);
  const bar = toolbar(ctx.filters, [filt], () => ctx.records.lastData);
  const count = el("div", "nbb-v-meta");
  const tableWrap = el("div", "nbb-v-hp-table-wrap");
  const pager = el("div", "nbb-v-hp-pager");
  const pcHead = el("div", "nbb-v-hp-sec", "Parallel coordinates");
  const pcControls = el("div", "nbb-v-hp-controls");
  const pc = el("div", "nbb-v-hp-pc");
  const scHead = el("div", "nbb-v-hp-sec", "Hparams vs metrics");
  const sc = el("div", "nbb-v-scatter-grid");
  const empty = el("div", "nbb-empty", "No hparams sessions yet — they appear here when a writer calls add_hparams.");
  host.append(bar.bar, empty, count, tableWrap, pager, pcHead, pcControls, pc, scHead, sc);

  /** Fade what the brushes leave out, in the table, the parallel coordinates and the scatters. */
  const applyBrushes = (rows: Session[], cols: Column[]) => {
    // only the brushes of the axes on show apply (one can't see or clear the others)
    const shown: Record<string, Brush> = {};
    for (const c of cols) if (brushes[c.key]) shown[c.key] = brushes[c.key];
    brushedRuns = new Set(rows.filter((r) => inBrushes(r, shown)).map((r) => r.run));
    const active = Object.keys(shown).length > 0;
    const dim = (e: Element & { dataset: DOMStringMap }) => e.classList.toggle("nbb-v-dim", active && !brushedRuns.has(e.dataset.run ?? ""));
    tableWrap.querySelectorAll<HTMLTableRowElement>("tbody tr").forEach(dim);
    pc.querySelectorAll<SVGPathElement>("path.nbb-v-line").forEach(dim);
    sc.querySelectorAll<SVGCircleElement>("circle").forEach(dim);
    host.dataset.brushed = active ? String(brushedRuns.size) : "";
    count.textContent = `${rows.length} of ${allCount} session${allCount === 1 ? "" : "s"}` + (active ? ` · ${brushedRuns.size} in the brushed ranges (click an axis to clear its brush)` : "");
  };
  let allCount = 0;

  const setHighlight = (run: string | null) => {
    highlight = run;
    for (const tr of tableWrap.querySelectorAll<HTMLTableRowElement>("tbody tr")) tr.classList.toggle("nbb-v-hl", tr.dataset.run === run);
    for (const p of pc.querySelectorAll<SVGPathElement>("path.nbb-v-line")) p.classList.toggle("nbb-v-hl", p.dataset.run === run);
    for (const c of sc.querySelectorAll<SVGCircleElement>("circle")) c.setAttribute("r", c.dataset.run === run ? "5.5" : "3.5");
  };

  function draw(): void {
    const all = sessionsOf(ctx.records.plugins).filter((s) => ctx.filters.runShown(s.run));
    empty.style.display = all.length ? "none" : "";
    for (const e of [count, tableWrap, pager, pcHead, pcControls, pc, scHead, sc]) e.style.display = all.length ? "" : "none";
    const cols = columns(all);
    const rows = sortSessions(filterSessions(all, { text, ranges }), sortKey, sortDir);
    allCount = all.length;
    host.dataset.sessions = String(rows.length);
    // table
    const table = el("table", "nbb-v-hp-table");
    const thead = el("thead");
    const hr = el("tr");
    const fr = el("tr", "nbb-v-hp-ranges");
    const head = (key: string, name: string, cls?: string) => {
      const th = el("th", cls, name);
      th.title = `Sort by ${name}`;
      th.dataset.key = key;
      if (key === sortKey) th.appendChild(el("span", "nbb-v-sort", sortDir === 1 ? "▲" : "▼"));
      th.addEventListener("click", () => {
        sortDir = key === sortKey ? ((-sortDir) as 1 | -1) : 1;
        sortKey = key;
        ctx.ui.set("hparams_sort", sortKey);
        ctx.ui.set("hparams_dir", sortDir);
        draw();
      });
      hr.appendChild(th);
    };
    head("run", "run");
    fr.appendChild(el("td"));
    for (const c of cols) {
      head(c.key, c.name, c.group === "metric" ? "nbb-v-metric" : undefined);
      const td = el("td");
      if (c.numeric) {
        const r = el("input", "nbb-input nbb-v-range");
        r.placeholder = "min..max";
        r.style.width = "7em";
        r.dataset.key = c.key;
        r.addEventListener("change", () => {
          const v = parseRange(r.value);
          if (v) ranges[c.key] = v;
          else delete ranges[c.key];
          r.classList.toggle("nbb-invalid", !!r.value.trim() && !v);
          draw();
        });
        const cur = ranges[c.key];
        if (cur) r.value = `${Number.isNaN(cur[0]) ? "" : cur[0]}..${Number.isNaN(cur[1]) ? "" : cur[1]}`;
        td.appendChild(r);
      }
      fr.appendChild(td);
    }
    thead.append(hr, fr);
    const tbody = el("tbody");
    const pb = pageBounds(rows.length, page, pageSize);
    page = pb.page;
    drawPager(pb, rows.length);
    const scales = cols.map((c) => axisScale(rows, c, scaleModes[c.key] ?? "auto"));
    colorOf = sessionColors(rows, cols, scales);
    for (const s of rows.slice(pb.start, pb.end)) {
      const tr = el("tr");
      tr.dataset.run = s.run;
      const td = el("td");
      if (ctx.showRun) {
        const a = el("button", "nbb-v-runlink", s.run);
        a.type = "button";
        a.title = `Show the scalars of ${s.run}`;
        a.addEventListener("click", () => ctx.showRun?.(s.run));
        td.appendChild(a);
      } else td.textContent = s.run;
      const sw = el("span", "nbb-swatch");
      sw.style.background = colorOf(s.run);
      sw.style.marginRight = "6px";
      td.prepend(sw);
      tr.appendChild(td);
      for (const c of cols) tr.appendChild(el("td", undefined, fmtCell(cell(s, c.key))));
      tr.addEventListener("mouseenter", () => setHighlight(s.run));
      tr.addEventListener("mouseleave", () => setHighlight(null));
      tbody.appendChild(tr);
    }
    table.append(thead, tbody);
    const focused = document.activeElement as HTMLInputElement | null;
    const refocus = focused?.classList.contains("nbb-v-range") ? focused.dataset.key : null;
    tableWrap.replaceChildren(table);
    if (refocus) tableWrap.querySelector<HTMLInputElement>(`input[data-key="${CSS.escape(refocus)}"]`)?.focus();
    drawControls(cols);
    drawParallel(rows, cols, scales);
    drawScatter(rows, cols, scales);
    applyBrushes(rows, cols);
    if (highlight) setHighlight(highlight);
  }

  /** Colours by run, or along the chosen metric's axis (viridis; grey without a value), with its legend. */
  function sessionColors(rows: Session[], cols: Column[], scales: AxisScale[]): (run: string) => string {
    const i = cols.findIndex((c) => c.key === colorBy && c.numeric);
    host.dataset.colorBy = i < 0 ? "" : colorBy;
    if (i < 0) return (run) => ctx.colors.get(run);
    const byRun = new Map(rows.map((r) => [r.run, metricColor(scales[i].pos(cell(r, cols[i].key)) ?? NaN)]));
    return (run) => byRun.get(run) ?? metricColor(NaN);
  }

  function drawPager(pb: { start: number; end: number; page: number; pages: number }, n: number): void {
    const size = el("select", "nbb-select nbb-v-hp-pagesize");
    size.title = "Sessions per page";
    for (const k of PAGE_SIZES.includes(pageSize) ? PAGE_SIZES : [...PAGE_SIZES, pageSize].sort((a, b) => a - b)) {
      const o = el("option", undefined, `${k} per page`);
      o.value = String(k);
      o.selected = k === pageSize;
      size.appendChild(o);
    }
    size.addEventListener("change", () => {
      pageSize = Number(size.value);
      ctx.ui.set("hparams_page_size", pageSize);
      page = 0;
      draw();
    });
    const prev = el("button", "nbb-btn", "‹ Prev");
    prev.type = "button";
    prev.disabled = pb.page === 0;
    prev.addEventListener("click", () => {
      page -= 1;
      draw();
    });
    const next = el("button", "nbb-btn", "Next ›");
    next.type = "button";
    next.disabled = pb.page >= pb.pages - 1;
    next.addEventListener("click", () => {
      page += 1;
      draw();
    });
    const where = el("span", "nbb-v-meta nbb-v-hp-where", n ? `${pb.start + 1}–${pb.end} of ${n}` : "0 of 0");
    pager.replaceChildren(prev, where, next, size);
    pager.dataset.page = String(pb.page);
    pager.dataset.pages = String(pb.pages);
  }

  function drawControls(cols: Column[]): void {
    const color = el("label", "nbb-field");
    color.append(el("span", "nbb-label", "Colour by"));
    const sel = el("select", "nbb-select nbb-v-hp-color");
    const byRun = el("option", undefined, "run");
    byRun.value = "";
    sel.appendChild(byRun);
    for (const c of cols.filter((c) => c.numeric)) {
      const o = el("option", undefined, c.name);
      o.value = c.key;
      o.selected = c.key === colorBy;
      sel.appendChild(o);
    }
    sel.addEventListener("change", () => {
      colorBy = sel.value;
      ctx.ui.set("hparams_color", colorBy);
      draw();
    });
    color.appendChild(sel);
    const parts: HTMLElement[] = [color];
    if (host.dataset.colorBy) {
      const legend = el("span", "nbb-v-hp-legend");
      legend.append(el("span", undefined, "low"), el("span", "nbb-v-hp-ramp"), el("span", undefined, "high"));
      parts.push(legend);
    }
    const scalesBox = el("span", "nbb-v-hp-scales");
    scalesBox.append(el("span", "nbb-label", "Axis scales"));
    for (const c of cols.filter((c) => c.numeric)) {
      const lab = el("label", "nbb-v-hp-scale");
      lab.append(el("span", undefined, c.name.length > 16 ? c.name.slice(0, 15) + "…" : c.name));
      const s = el("select", "nbb-select");
      s.dataset.key = c.key;
      for (const m of SCALE_MODES) {
        const o = el("option", undefined, m);
        o.value = m;
        o.selected = m === (scaleModes[c.key] ?? "auto");
        s.appendChild(o);
      }
      s.addEventListener("change", () => {
        if (s.value === "auto") delete scaleModes[c.key];
        else scaleModes[c.key] = s.value as ScaleMode;
        ctx.ui.set("hparams_scales", { ...scaleModes });
        draw();
      });
      lab.appendChild(s);
      scalesBox.appendChild(lab);
    }
    parts.push(scalesBox);
    pcControls.replaceChildren(...parts);
  }

  function drawParallel(rows: Session[], cols: Column[], scales: AxisScale[]): void {
    const w = Math.max(320, host.clientWidth || lastW || 640), h = 240, padX = 50, top = 26, bottom = 28;
    const s = svg("svg", { viewBox: `0 0 ${w} ${h}`, height: h }, "nbb-v-svg");
    const n = cols.length;
    const xs = cols.map((_, i) => (n < 2 ? w / 2 : padX + (i * (w - 2 * padX)) / (n - 1)));
    const y = (p: number) => top + (1 - p) * (h - top - bottom);
    const posAt = (clientY: number) => {
      const m = s.getScreenCTM();
      const pt = new DOMPoint(0, clientY).matrixTransform(m ? m.inverse() : undefined);
      return Math.min(1, Math.max(0, 1 - (pt.y - top) / (h - top - bottom)));
    };
    cols.forEach((c, i) => {
      s.appendChild(svg("line", { x1: xs[i], x2: xs[i], y1: top, y2: h - bottom }, "nbb-v-axis"));
      const t = svg("text", { x: xs[i], y: 12, "text-anchor": "middle" });
      t.textContent = c.name.length > 18 ? c.name.slice(0, 17) + "…" : c.name;
      if (c.group === "metric") t.setAttribute("style", "font-weight:600");
      s.appendChild(t);
      s.dataset[`scale${i}`] = scales[i].mode;
      for (const [p, label] of axisTicks(scales[i], 5)) {
        s.appendChild(svg("line", { x1: xs[i] - 3, x2: xs[i], y1: y(p), y2: y(p) }, "nbb-v-axis"));
        const tt = svg("text", { x: xs[i] + 4, y: y(p) + 4 }, "nbb-v-tick");
        tt.dataset.key = c.key;
        tt.textContent = label.length > 12 ? label.slice(0, 11) + "…" : label;
        s.appendChild(tt);
      }
    });
    for (const r of rows) {
      let d = "";
      cols.forEach((c, i) => {
        const p = scales[i].pos(cell(r, c.key));
        if (p === null) return;
        d += `${d ? "L" : "M"}${xs[i].toFixed(1)},${y(p).toFixed(1)}`;
      });
      const path = svg("path", { d, stroke: colorOf(r.run) }, "nbb-v-line");
      path.dataset.run = r.run;
      const title = svg("title");
      title.textContent = r.run;
      path.appendChild(title);
      path.addEventListener("mouseenter", () => setHighlight(r.run));
      path.addEventListener("mouseleave", () => setHighlight(null));
      s.appendChild(path);
    }
    // brushes: drag along an axis to select a range of it; a click without a drag clears it
    cols.forEach((c, i) => {
      const shade = svg("rect", { x: xs[i] - 6, width: 12, y: 0, height: 0 }, "nbb-v-brush");
      shade.style.display = "none";
      /** Shade the positions p0..p1 of the axis (none: hide). */
      const shadeSpan = (span: [number, number] | null) => {
        shade.style.display = span ? "" : "none";
        if (span) {
          const y0 = y(Math.max(span[0], span[1])), y1 = y(Math.min(span[0], span[1]));
          shade.setAttribute("y", y0.toFixed(1));
          shade.setAttribute("height", Math.max(1, y1 - y0).toFixed(1));
        }
      };
      const place = () => shadeSpan(brushes[c.key] ? brushSpan(scales[i], brushes[c.key]) : null);
      place();
      const grip = svg("rect", { x: xs[i] - 12, width: 24, y: top - 6, height: h - top - bottom + 12, fill: "transparent" }, "nbb-v-brush-grip");
      grip.dataset.key = c.key;
      grip.addEventListener("mousedown", (e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        const start = posAt(e.clientY), y0 = e.clientY;
        let moved = false;
        let end = start;
        /** The dragged interval as a brush in the axis' values (none when it catches no category). */
        const set = () => {
          const b = moved ? brushFromPositions(scales[i], start, end) : null;
          if (b) brushes[c.key] = b;
          else delete brushes[c.key];
        };
        const move = (ev: MouseEvent) => {
          if (Math.abs(ev.clientY - y0) < 3 && !moved) return;
          moved = true;
          end = posAt(ev.clientY);
          set();
          shadeSpan([start, end]); // the drag itself while dragging
          applyBrushes(rows, cols);
        };
        const up = () => {
          window.removeEventListener("mousemove", move);
          window.removeEventListener("mouseup", up);
          set();
          place();
          applyBrushes(rows, cols);
          ctx.ui.set("hparams_brush", { ...brushes });
        };
        window.addEventListener("mousemove", move);
        window.addEventListener("mouseup", up);
      });
      s.append(shade, grip);
    });
    pc.replaceChildren(s);
  }

  function drawScatter(rows: Session[], cols: Column[], scales: AxisScale[]): void {
    const hps = cols.filter((c) => c.group === "hparam"), mts = cols.filter((c) => c.group === "metric");
    sc.replaceChildren();
    const W = 220, Hh = 160, pl = 38, pb = 30, pt = 18, pr = 8;
    for (const m of mts) {
      for (const hp of hps) {
        const box = el("div", "nbb-v-scatter");
        const s = svg("svg", { viewBox: `0 0 ${W} ${Hh}`, height: Hh }, "nbb-v-svg");
        const xs = scales[cols.indexOf(hp)], ys = scales[cols.indexOf(m)];
        const t = svg("text", { x: W / 2, y: 12, "text-anchor": "middle" });
        t.textContent = `${m.name} vs ${hp.name}`.slice(0, 40);
        s.appendChild(t);
        s.appendChild(svg("line", { x1: pl, x2: W - pr, y1: Hh - pb, y2: Hh - pb }, "nbb-v-axis"));
        s.appendChild(svg("line", { x1: pl, x2: pl, y1: pt, y2: Hh - pb }, "nbb-v-axis"));
        const X = (p: number) => pl + 6 + p * (W - pl - pr - 12), Y = (p: number) => Hh - pb - 6 - p * (Hh - pb - pt - 12);
        for (const [p, label] of axisTicks(xs, 4).slice(0, 6)) {
          const tt = svg("text", { x: X(p), y: Hh - pb + 13, "text-anchor": "middle" });
          tt.textContent = label.slice(0, 10);
          s.appendChild(tt);
        }
        for (const [p, label] of axisTicks(ys, 4).slice(0, 5)) {
          const tt = svg("text", { x: pl - 3, y: Y(p) + 4, "text-anchor": "end" });
          tt.textContent = label.slice(0, 7);
          s.appendChild(tt);
        }
        for (const r of rows) {
          const px = xs.pos(cell(r, hp.key)), py = ys.pos(cell(r, m.key));
          if (px === null || py === null) continue;
          const c = svg("circle", { cx: X(px), cy: Y(py), r: 3.5, fill: colorOf(r.run) });
          c.dataset.run = r.run;
          const title = svg("title");
          title.textContent = `${r.run}: ${hp.name}=${fmtCell(cell(r, hp.key))}, ${m.name}=${fmtCell(cell(r, m.key))}`;
          c.appendChild(title);
          c.addEventListener("mouseenter", () => setHighlight(r.run));
          c.addEventListener("mouseleave", () => setHighlight(null));
          s.appendChild(c);
        }
        box.appendChild(s);
        sc.appendChild(box);
      }
    }
  }

  let raf = 0;
  const request = (): void => {
    if (!raf) raf = requestAnimationFrame(() => {
      raf = 0;
      draw();
    });
  };
  const off1 = ctx.records.subscribe((_c, structural) => structural && request());
  const off2 = ctx.filters.subscribe(request);
  const ro = new ResizeObserver(() => {
    const w = host.clientWidth;
    if (w > 0 && Math.abs(w - lastW) > 20) {
      lastW = w;
      request();
    }
  });
  ro.observe(host);
  draw();
  return () => {
    cancelAnimationFrame(raf);
    ro.disconnect();
    off1();
    off2();
    bar.dispose();
  };
}

export const hparamsView: ViewSpec = { kind: "hparams", label: "HParams", order: 60, present: hasPlugin("hparams"), render };
