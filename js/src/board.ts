/**
 * The Board: a dashboard frame (title, a tab per view of the kinds table that has data) around
 * the views of one model. Its tabs share one context: run colours, run/tag filters, `ui` state.
 * The table's home view is rendered at once and its tab shown while no other tab is; every other
 * view is rendered the first time its tab is picked. The picked tab is kept in `ui`.
 */
import { escapeRegex } from "./lib/format";
import type { AnyModel, ModelData } from "./model";
import { VIEWS } from "./kinds";
import { alertBanner } from "./kinds/alerts/banner";
import { contextFor, viewRoot, type ViewContext, type ViewSpec } from "./view/context";
import { el } from "./view/dom";
import { runSidebar } from "./view/run_sidebar";

interface Tab {
  spec: ViewSpec;
  tab: HTMLButtonElement;
  pane: HTMLElement;
  dispose: (() => void) | null;
}

export function renderBoard(model: AnyModel, host: HTMLElement, data: ModelData): () => void {
  const root = el("div", "nbb-root nbb-board");
  const head = el("div", "nbb-board-head");
  const title = el("span", "nbb-board-title", String(model.get("title") ?? ""));
  title.title = title.textContent ?? "";
  const tabs = el("div", "nbb-tabs");
  tabs.setAttribute("role", "tablist");
  head.append(el("span", "nbb-brand", "nbboard"), title, tabs);
  const body = el("div", "nbb-board-body");
  const frame = el("div", "nbb-board-frame");
  root.append(head, frame);
  host.appendChild(root);
  const ctx = contextFor(model, data, true);
  const sidebar = runSidebar(frame, ctx);
  frame.append(sidebar.side, body);
  const offTabs = boardTabs(ctx, tabs, body);
  const offBanner = alertBanner(body, ctx);
  return () => {
    offBanner();
    offTabs();
    sidebar.dispose();
    root.remove();
  };
}

/** How long a Board waits for its home view's data before opening on another tab. */
const AUTO_PICK_MS = 400;

function boardTabs(ctx: ViewContext, tabs: HTMLElement, body: HTMLElement): () => void {
  const home = VIEWS.find((s) => s.home) ?? VIEWS[0];
  const shown = new Map<string, Tab>();
  let current = ctx.ui.get("tab", home.kind);
  // True while the Board shows another tab only because the home view had no data yet: its
  // first data brings it back, unless the user picked a tab meanwhile.
  let autoPicked = false;
  let pickTimer = 0;
  const byOrder = (a: string, b: string) => shown.get(a)!.spec.order - shown.get(b)!.spec.order;
  const select = (kind: string) => {
    current = kind;
    for (const [k, t] of shown) {
      const on = k === kind;
      t.tab.classList.toggle("nbb-on", on);
      t.pane.style.display = on ? "" : "none";
      if (on && !t.dispose) t.dispose = t.spec.render(t.pane, ctx);
    }
    ctx.ui.set("tab", kind);
    body.dataset.tab = kind;
  };
  const choose = (kind: string) => {
    autoPicked = false;
    select(kind);
  };
  const addTab = (spec: ViewSpec, on: boolean): Tab => {
    const tab = el("button", on ? "nbb-tab nbb-on" : "nbb-tab", spec.label);
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.dataset.kind = spec.kind;
    tab.addEventListener("click", () => choose(spec.kind));
    const pane = viewRoot(spec);
    if (!on) pane.style.display = "none";
    body.appendChild(pane);
    const t: Tab = { spec, tab, pane, dispose: null };
    shown.set(spec.kind, t);
    const order = [...shown.keys()].sort(byOrder);
    const before = order[order.indexOf(spec.kind) + 1];
    tabs.insertBefore(tab, before ? shown.get(before)!.tab : null);
    return t;
  };
  const homeTab = addTab(home, true);
  homeTab.dispose = home.render(homeTab.pane, ctx);
  ctx.showRun = (run: string) => {
    select(home.kind);
    ctx.filters.set("run_filter", "^" + escapeRegex(run) + "$");
  };
  ctx.showTab = (kind: string) => {
    if (shown.has(kind)) choose(kind);
  };
  ctx.showPoint = (run: string, tag: string, step: number) => {
    choose(home.kind);
    ctx.filters.set("run_filter", "^" + escapeRegex(run) + "$");
    ctx.filters.set("tag_filter", "^" + escapeRegex(tag) + "$");
    for (const fn of ctx.focus) fn(run, tag, step);
  };
  const sync = () => {
    for (const spec of VIEWS) {
      if (shown.has(spec.kind) || !spec.present(ctx)) continue;
      addTab(spec, false);
      if (current === spec.kind) select(spec.kind);
    }
    // A Board with no data for its home view opens on its first other tab.
    const hasHome = home.present(ctx);
    const others = [...shown.keys()].filter((k) => k !== home.kind);
    homeTab.tab.style.display = hasHome || others.length === 0 ? "" : "none";
    if (!hasHome && current === home.kind && others.length) {
      // not at once: a Board's first data comes in several messages, and the home view's may be
      // the next one (flipping tabs meanwhile would flash, and load what the other tab needs)
      if (!pickTimer) {
        pickTimer = window.setTimeout(() => {
          pickTimer = 0;
          const rest = [...shown.keys()].filter((k) => k !== home.kind);
          if (!home.present(ctx) && current === home.kind && rest.length) {
            select(rest.sort(byOrder)[0]);
            autoPicked = true;
          }
        }, AUTO_PICK_MS);
      }
    } else if (hasHome && autoPicked) {
      autoPicked = false;
      select(home.kind);
    }
  };
  const offRecords = ctx.records.subscribe((_c, structural) => structural && sync());
  const offScalars = ctx.scalars.subscribe((_c, structural) => structural && sync());
  sync();
  if (current === home.kind) select(home.kind);
  return () => {
    window.clearTimeout(pickTimer);
    offRecords();
    offScalars();
    for (const t of shown.values()) t.dispose?.();
  };
}
