/**
 * The Board's run table, shared by every tab as TensorBoard's run sidebar is, and built for sweeps
 * of 1,000+ runs: the run regex, a sort (name, or a scalar tag's last / min / max, either way)
 * with that value in a column, Top k, All / None, colour (and group) by an hparam with a legend,
 * and a virtual list of rows (checkbox, colour swatch, name, value): only the rows in sight are
 * in the DOM. Unticked runs are the shared filters' hidden runs and the colour-by is the Board's
 * colour map's override, so every view follows. A Board of more than DEFAULT_SHOWN runs that
 * nobody picked in draws the first DEFAULT_SHOWN in the table's order (a top-k the header
 * names). Sort, k, top-k mode, colour-by and grouping are kept in `ui`. Collapsible.
 * Logged names and hparam values are untrusted: text only. Pure logic in run_table.ts.
 */
import { valueColoring, type ScaleValue, type ValueColoring } from "../lib/colors";
import { compileFilter, fmtValue } from "../lib/format";
import type { ScalarData } from "../lib/series";
import { el } from "./dom";
import type { ViewContext } from "./context";
import {
  DEFAULT_SHOWN, defaultDir, loadSort, sortLabel, sortRuns, STATS, tableCaption, tableRows, tickRuns, topK, updateStats,
  virtualWindow, wantsDefault, type HValue, type RunSort, type SeriesStats, type Stat, type TableRow,
} from "./run_table";

/** Row height of the virtual list (px); the CSS gives rows exactly this height. */
const ROW_H = 22;

function option(value: string, label: string): HTMLOptionElement {
  const o = el("option", undefined, label);
  o.value = value;
  return o;
}

function setOptions(sel: HTMLSelectElement, opts: [string, string][], value: string): void {
  const same = sel.options.length === opts.length && opts.every(([v, l], i) => sel.options[i].value === v && sel.options[i].text === l);
  if (!same) sel.replaceChildren(...opts.map(([v, l]) => option(v, l)));
  sel.value = value;
}

/** A run's hparams, from the hparams record the Board's record feed carries (run-level plugin data). */
function hparamsOf(ctx: ViewContext, run: string): Record<string, HValue> | undefined {
  const p = ctx.records.plugins.get(run)?.hparams as { hparams?: Record<string, unknown> } | undefined;
  return p?.hparams as Record<string, HValue> | undefined;
}

export function runSidebar(frame: HTMLElement, ctx: ViewContext): { side: HTMLElement; dispose: () => void } {
  const side = el("aside", "nbb-side");
  side.setAttribute("aria-label", "Runs");
  const head = el("div", "nbb-side-head");
  const title = el("span", "nbb-side-title", "Runs");
  const fold = el("button", "nbb-btn nbb-side-fold", "‹");
  fold.type = "button";
  head.append(title, fold);
  const filter = el("input", "nbb-input nbb-side-filter");
  filter.type = "text";
  filter.placeholder = "Filter runs (regex)";
  filter.spellcheck = false;
  filter.value = ctx.filters.get("run_filter");
  filter.addEventListener("input", () => {
    filter.classList.toggle("nbb-invalid", compileFilter(filter.value) === null);
    ctx.filters.set("run_filter", filter.value);
  });

  // sort: by name or by a tag's statistic, either way
  const sortRow = el("div", "nbb-side-row nbb-side-sort");
  const sortTag = el("select", "nbb-input nbb-side-sort-tag");
  sortTag.title = "Sort runs by name or by a scalar's value";
  const sortStat = el("select", "nbb-input nbb-side-sort-stat");
  sortStat.title = "Which value of the scalar: its last, lowest or highest";
  for (const s of STATS) sortStat.appendChild(option(s, s));
  const sortDir = el("button", "nbb-btn nbb-side-dir");
  sortDir.type = "button";
  sortRow.append(el("span", "nbb-label", "Sort"), sortTag, sortStat, sortDir);

  // top k, all, none
  const actions = el("div", "nbb-side-row nbb-side-actions");
  const kIn = el("input", "nbb-input nbb-side-k");
  kIn.type = "number";
  kIn.min = "1";
  kIn.step = "1";
  kIn.title = "k: how many runs Top shows";
  const top = el("button", "nbb-btn nbb-side-top", "Top");
  top.type = "button";
  top.title = "Show the best k runs by the current sort, hide the rest";
  const all = el("button", "nbb-btn nbb-side-all", "All");
  all.type = "button";
  all.title = "Show every listed run";
  const none = el("button", "nbb-btn nbb-side-none", "None");
  none.type = "button";
  none.title = "Hide every listed run";
  actions.append(top, kIn, all, none);

  // colour / group by an hparam
  const colorRow = el("div", "nbb-side-row nbb-side-colorby");
  const colorSel = el("select", "nbb-input nbb-side-color");
  colorSel.title = "Colour runs by an hparam (every tab follows)";
  const groupLabel = el("label", "nbb-check nbb-side-group");
  const groupBox = el("input");
  groupBox.type = "checkbox";
  groupLabel.title = "Group the rows under the hparam's values";
  groupLabel.append(groupBox, el("span", undefined, "Group"));
  colorRow.append(el("span", "nbb-label", "Colour"), colorSel, groupLabel);
  const legend = el("div", "nbb-side-legend");

  const count = el("div", "nbb-side-count");
  const list = el("div", "nbb-side-list");
  list.setAttribute("role", "list");
  const padTop = el("div", "nbb-side-pad");
  const rowsEl = el("div", "nbb-side-rows");
  const padBottom = el("div", "nbb-side-pad");
  list.append(padTop, rowsEl, padBottom);
  side.append(head, filter, sortRow, actions, colorRow, legend, count, list);

  // ---- state (ui) ----
  let sort: RunSort = loadSort(ctx.ui.get<unknown>("run_sort", null));
  /** >0: the shown runs are the best `topN` by the sort, re-picked when the sort or the runs change. */
  let topN = ctx.ui.get<unknown>("run_top", undefined);
  let auto = ctx.ui.get<boolean>("run_top_auto", false);
  let k = Number(ctx.ui.get<number>("run_k", 10));
  if (!Number.isInteger(k) || k < 1) k = 10;
  kIn.value = String(k);
  let colorBy = ctx.ui.get<string>("run_color", "");
  let grouped = ctx.ui.get<boolean>("run_group", false);
  groupBox.checked = grouped;

  const stats = new Map<ScalarData, SeriesStats>();
  const valueOf = (run: string): number | undefined => {
    if (!sort.tag) return undefined;
    const s = ctx.scalars.byTag.get(sort.tag)?.get(run);
    if (!s) return undefined;
    let st = stats.get(s);
    if (!st || st.n !== s.n) stats.set(s, (st = updateStats(st, s.values, s.n)));
    return st[sort.stat];
  };

  const allRuns = () => new Set([...ctx.scalars.runs, ...ctx.records.runs()]);
  /** The listed runs (passing the regex) in table order. */
  let ordered: string[] = [];
  let rows: TableRow[] = [];
  let coloring: ValueColoring | null = null;

  const hparamNames = (): string[] => {
    const names = new Set<string>();
    for (const run of ctx.records.plugins.keys()) for (const k of Object.keys(hparamsOf(ctx, run) ?? {})) names.add(k);
    return [...names].sort();
  };

  const order = () => {
    ordered = sortRuns([...allRuns()].filter((r) => ctx.filters.runMatches(r)), sort, valueOf);
  };

  /** Apply top-k (while in that mode): hide all but the first `topN` listed runs. */
  const applyTop = () => {
    if (typeof topN !== "number" || topN <= 0) return;
    ctx.filters.setHidden(topK(allRuns(), ordered, topN));
  };

  const setTop = (n: number, isAuto: boolean) => {
    topN = n;
    auto = isAuto;
    ctx.ui.set("run_top", n);
    ctx.ui.set("run_top_auto", isAuto);
  };

  /** The user ticked or unticked by hand: top-k mode ends. */
  const manual = (hidden: string[]) => {
    const wasTop = topN !== 0;
    if (wasTop) setTop(0, false);
    const before = ctx.filters.hiddenRuns().join("\n");
    ctx.filters.setHidden(hidden);
    if (wasTop && ctx.filters.hiddenRuns().join("\n") === before) draw(); // the caption says top k no more
  };

  const recolor = () => {
    if (!colorBy) {
      if (coloring) ctx.colors.setOverride(null);
      coloring = null;
    } else {
      const runs = [...allRuns()];
      const values = new Map<string, ScaleValue>(runs.map((r) => [r, hparamsOf(ctx, r)?.[colorBy]]));
      coloring = valueColoring(values.values());
      const c = coloring;
      ctx.colors.setOverride((run) => c.color(values.get(run)));
    }
    drawLegend();
  };

  const drawLegend = () => {
    legend.replaceChildren();
    legend.style.display = coloring ? "" : "none";
    if (!coloring) return;
    const lg = coloring.legend;
    if (lg.kind === "categorical") {
      for (const [label, color] of lg.entries) {
        const item = el("span", "nbb-side-legend-item");
        const sw = el("span", "nbb-swatch");
        sw.style.background = color;
        item.append(sw, el("span", undefined, label));
        item.title = `${colorBy} = ${label}`;
        legend.appendChild(item);
      }
      if (lg.more > 0) legend.appendChild(el("span", "nbb-side-legend-more", `+${lg.more} more (colours repeat)`));
    } else {
      const bar = el("span", "nbb-side-ramp");
      bar.style.background = `linear-gradient(to right, ${lg.stops.join(", ")})`;
      legend.append(el("span", "nbb-side-legend-lo", fmtValue(lg.lo)), bar, el("span", "nbb-side-legend-hi", fmtValue(lg.hi)));
      if (lg.log) legend.appendChild(el("span", "nbb-side-legend-more", "log"));
      legend.title = `${colorBy}: ${fmtValue(lg.lo)} … ${fmtValue(lg.hi)}${lg.log ? " (log scale)" : ""}`;
    }
  };

  const controls = () => {
    const tags = [...ctx.scalars.byTag.keys()].sort();
    if (sort.tag && !ctx.scalars.byTag.has(sort.tag) && tags.length) {
      /* the sort's tag has not arrived (yet): keep it, listed */
      tags.push(sort.tag);
    }
    setOptions(sortTag, [["", "Name"], ...tags.map((t): [string, string] => [t, t])], sort.tag);
    sortStat.value = sort.stat;
    sortStat.style.display = sort.tag ? "" : "none";
    sortDir.textContent = sort.dir === 1 ? "↑" : "↓";
    sortDir.title = sort.dir === 1 ? "Ascending (click for descending)" : "Descending (click for ascending)";
    const names = hparamNames();
    if (colorBy && !names.includes(colorBy)) names.push(colorBy);
    setOptions(colorSel, [["", "by run"], ...names.map((n): [string, string] => [n, n])], colorBy);
    colorRow.style.display = names.length ? "" : "none";
    groupLabel.style.display = colorBy ? "" : "none";
    top.classList.toggle("nbb-on", typeof topN === "number" && topN > 0);
  };

  // ---- the virtual list ----
  let drawnKey = "";
  const paintRows = (force = false) => {
    const w = virtualWindow(list.scrollTop, list.clientHeight || 420, ROW_H, rows.length);
    const key = `${w.start}:${w.end}`;
    if (!force && key === drawnKey) return;
    drawnKey = key;
    padTop.style.height = `${w.padTop}px`;
    padBottom.style.height = `${w.padBottom}px`;
    const items: HTMLElement[] = [];
    for (let i = w.start; i < w.end; i++) items.push(rowEl(rows[i]));
    rowsEl.replaceChildren(...items);
  };

  const rowEl = (r: TableRow): HTMLElement => {
    if (r.type === "group") {
      const div = el("div", "nbb-side-grouprow");
      div.dataset.group = r.label;
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.checked = r.on === r.runs.length;
      box.indeterminate = r.on > 0 && r.on < r.runs.length;
      box.title = `Show or hide every run with ${colorBy} = ${r.label}`;
      box.addEventListener("change", () => manual(tickRuns(r.runs, ctx.filters.hiddenRuns(), box.checked)));
      const sw = el("span", "nbb-swatch");
      sw.style.background = coloring ? coloring.color(hparamsOf(ctx, r.runs[0])?.[colorBy]) : "transparent";
      label.append(box, sw, el("span", "nbb-side-name", `${colorBy} = ${r.label}`), el("span", "nbb-side-val", `${r.on}/${r.runs.length}`));
      div.appendChild(label);
      return div;
    }
    const div = el("div", grouped && colorBy ? "nbb-side-run nbb-side-in" : "nbb-side-run");
    div.setAttribute("role", "listitem");
    div.dataset.run = r.run;
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.checked = r.on;
    box.addEventListener("change", () => {
      const hidden = new Set(ctx.filters.hiddenRuns());
      if (box.checked) hidden.delete(r.run);
      else hidden.add(r.run);
      manual([...hidden]);
    });
    const sw = el("span", "nbb-swatch");
    sw.style.background = ctx.colors.get(r.run);
    const name = el("span", "nbb-side-name", r.run);
    const hp = hparamsOf(ctx, r.run);
    name.title = hp ? `${r.run}\n${Object.entries(hp).map(([k, v]) => `${k} = ${String(v)}`).join("\n")}` : r.run;
    label.append(box, sw, name);
    if (sort.tag) {
      const v = valueOf(r.run);
      label.appendChild(el("span", "nbb-side-val", v === undefined || Number.isNaN(v) ? "—" : fmtValue(v)));
    }
    div.appendChild(label);
    return div;
  };

  /** Recompute the rows from the order and the ticks, and redraw the window. */
  const draw = () => {
    const shown = (r: string) => !ctx.filters.isHidden(r);
    rows = tableRows(ordered, shown, grouped && colorBy ? (r) => hparamsOf(ctx, r)?.[colorBy] : undefined);
    const on = ordered.filter(shown).length;
    const total = allRuns().size;
    const n = typeof topN === "number" && topN > 0 ? topN : 0;
    count.textContent = tableCaption(on, total, n, auto, sortLabel(sort));
    if (document.activeElement !== filter && filter.value !== ctx.filters.get("run_filter")) filter.value = ctx.filters.get("run_filter");
    side.dataset.runs = String(ordered.length);
    side.dataset.shown = String(on);
    controls();
    paintRows(true);
  };

  /** The runs, their values or the sort changed: order again, re-pick a top k, draw. */
  const refresh = () => {
    order();
    const total = allRuns().size;
    if (wantsDefault(topN, ctx.filters.hiddenRuns(), total)) setTop(DEFAULT_SHOWN, true);
    applyTop(); // a change of the hidden runs draws through the filters' listener
    draw();
  };

  // ---- events ----
  sortTag.addEventListener("change", () => {
    const tag = sortTag.value;
    sort = { tag, stat: sort.stat, dir: tag ? defaultDir(tag) : 1 };
    ctx.ui.set("run_sort", sort);
    refresh();
  });
  sortStat.addEventListener("change", () => {
    sort = { ...sort, stat: sortStat.value as Stat };
    ctx.ui.set("run_sort", sort);
    refresh();
  });
  sortDir.addEventListener("click", () => {
    sort = { ...sort, dir: sort.dir === 1 ? -1 : 1 };
    ctx.ui.set("run_sort", sort);
    refresh();
  });
  kIn.addEventListener("change", () => {
    const v = Math.floor(Number(kIn.value));
    if (!Number.isFinite(v) || v < 1) {
      kIn.value = String(k);
      return;
    }
    k = v;
    ctx.ui.set("run_k", k);
    if (typeof topN === "number" && topN > 0) {
      setTop(k, false);
      refresh();
    }
  });
  top.addEventListener("click", () => {
    setTop(k, false);
    refresh();
  });
  all.addEventListener("click", () => manual(tickRuns(ordered, ctx.filters.hiddenRuns(), true)));
  none.addEventListener("click", () => manual(tickRuns(ordered, ctx.filters.hiddenRuns(), false)));
  colorSel.addEventListener("change", () => {
    colorBy = colorSel.value;
    ctx.ui.set("run_color", colorBy);
    recolor();
    ctx.filters.touch(); // every view redraws in the new colours
    draw();
  });
  groupBox.addEventListener("change", () => {
    grouped = groupBox.checked;
    ctx.ui.set("run_group", grouped);
    list.scrollTop = 0;
    draw();
  });
  list.addEventListener("scroll", () => paintRows(), { passive: true });

  const setFolded = (folded: boolean) => {
    frame.classList.toggle("nbb-side-folded", folded);
    fold.textContent = folded ? "›" : "‹";
    fold.title = folded ? "Show the run list" : "Hide the run list";
  };
  setFolded(ctx.ui.get<boolean>("side_folded", false));
  fold.addEventListener("click", () => {
    const folded = !frame.classList.contains("nbb-side-folded");
    setFolded(folded);
    ctx.ui.set("side_folded", folded);
    if (!folded) paintRows(true);
  });

  // Values change as points arrive: the order (and a top k) follow, at most once a second.
  let valueTimer = 0;
  const valuesChanged = () => {
    if (!sort.tag || valueTimer) return;
    valueTimer = window.setTimeout(() => {
      valueTimer = 0;
      refresh();
    }, 1000);
  };
  let lastMatch = ctx.filters.get("run_filter");
  const onFilters = () => {
    if (ctx.filters.get("run_filter") !== lastMatch) {
      lastMatch = ctx.filters.get("run_filter");
      order();
      applyTop();
    }
    draw();
  };
  const structural = () => {
    recolor();
    refresh();
  };
  if (colorBy) recolor();
  refresh();
  const offs = [
    ctx.filters.subscribe(onFilters),
    ctx.records.subscribe((_c, s) => s && structural()),
    ctx.scalars.subscribe((changed, s) => {
      if (s) structural();
      else if ([...changed].some((c) => c.tag === sort.tag)) valuesChanged();
    }),
  ];
  // the list's height is known once the Board is in the page
  const ro = new ResizeObserver(() => paintRows());
  ro.observe(list);
  return {
    side,
    dispose: () => {
      window.clearTimeout(valueTimer);
      ro.disconnect();
      offs.forEach((off) => off());
    },
  };
}
