/**
 * The Board's run sidebar, shared by every tab as TensorBoard's is: the run regex, a checkbox,
 * colour and name per run (every kind's runs), All / None, and a count. Unticked runs are the
 * shared filters' hidden runs, so every view leaves them out. Collapsible; the state is kept.
 */
import { compileFilter } from "../lib/format";
import { el } from "./dom";
import type { ViewContext } from "./context";
import { runCount, runRows, tickAll } from "./run_list";

export function runSidebar(frame: HTMLElement, ctx: ViewContext): { side: HTMLElement; dispose: () => void } {
  const side = el("aside", "nbb-side");
  side.setAttribute("aria-label", "Runs");
  const head = el("div", "nbb-side-head");
  const title = el("span", "nbb-side-title", "Runs");
  const fold = el("button", "nbb-btn nbb-side-fold", "‹");
  fold.type = "button";
  head.append(title, fold);
  const count = el("div", "nbb-side-count");
  const filter = el("input", "nbb-input nbb-side-filter");
  filter.type = "text";
  filter.placeholder = "Filter runs (regex)";
  filter.spellcheck = false;
  filter.value = ctx.filters.get("run_filter");
  filter.addEventListener("input", () => {
    filter.classList.toggle("nbb-invalid", compileFilter(filter.value) === null);
    ctx.filters.set("run_filter", filter.value);
  });
  const all = el("button", "nbb-btn nbb-side-all", "All");
  all.type = "button";
  all.title = "Show every listed run";
  const none = el("button", "nbb-btn nbb-side-none", "None");
  none.type = "button";
  none.title = "Hide every listed run";
  const actions = el("div", "nbb-side-actions");
  actions.append(all, none, count);
  const list = el("ul", "nbb-side-list");
  side.append(head, filter, actions, list);

  const allRuns = () => new Set([...ctx.scalars.runs, ...ctx.records.runs()]);
  const rows = () => runRows(allRuns(), (r) => ctx.filters.runMatches(r), (r) => ctx.filters.isHidden(r));
  all.addEventListener("click", () => ctx.filters.setHidden(tickAll(rows(), ctx.filters.hiddenRuns(), true)));
  none.addEventListener("click", () => ctx.filters.setHidden(tickAll(rows(), ctx.filters.hiddenRuns(), false)));

  const draw = () => {
    const rs = rows();
    const items = rs.map(({ run, on }) => {
      const li = el("li", "nbb-side-run");
      li.dataset.run = run;
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.checked = on;
      box.addEventListener("change", () => ctx.filters.toggle(run));
      const sw = el("span", "nbb-swatch");
      sw.style.background = ctx.colors.get(run);
      const name = el("span", "nbb-side-name", run);
      name.title = run;
      label.append(box, sw, name);
      li.appendChild(label);
      return li;
    });
    list.replaceChildren(...items);
    count.textContent = runCount(rs, allRuns().size);
    if (document.activeElement !== filter && filter.value !== ctx.filters.get("run_filter")) filter.value = ctx.filters.get("run_filter");
    side.dataset.runs = String(rs.length);
  };
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
  });
  draw();
  const offs = [
    ctx.filters.subscribe(draw),
    ctx.records.subscribe((_c, structural) => structural && draw()),
    ctx.scalars.subscribe((_c, structural) => structural && draw()),
  ];
  return { side, dispose: () => offs.forEach((off) => off()) };
}
