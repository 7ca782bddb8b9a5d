/**
 * The registration point for record views: each view module registers a `ViewSpec` (its kind,
 * tab label, when the Board shows it, how it renders); the runtime renders a lone view by kind
 * and the Board adds a tab per spec whose data is present. Views of one Board share a context:
 * run colours, run/tag filters and the model's `ui` state.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ColorMap } from "./colors";
import { recordData, type RecordData } from "./records";
import type { ScalarData } from "./series";
import { SharedFilters, el, injectViewStyles } from "./viewkit";

export interface ModelLike {
  get(key: string): any;
  set(key: string, value: any): void;
  save_changes(): void;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event?: string | null, cb?: ((...args: any[]) => void) | null): void;
  send(content: any, callbacks?: any, buffers?: any[]): void;
  widget_manager?: any;
}

/** The page-side scalar data of a model (model.ts's ModelData), as the custom-scalars view reads it. */
export interface ScalarSource {
  byTag: Map<string, Map<string, ScalarData>>;
  subscribe(fn: (changed: Set<ScalarData>, structural: boolean) => void): () => void;
  lastData: number;
  colors: ColorMap;
}

export interface UiState {
  get<T>(key: string, fallback: T): T;
  set(key: string, value: unknown): void;
}

export interface ViewContext {
  model: ModelLike;
  records: RecordData;
  colors: ColorMap;
  filters: SharedFilters;
  ui: UiState;
  scalars: ScalarSource | null;
  inBoard: boolean;
  /** In a Board: show a run's scalars (the hparams view links sessions to their runs). */
  openScalars?: (run: string) => void;
}

export interface ViewSpec {
  kind: string;
  label: string;
  /** Board tab order (scalars are 0). */
  order: number;
  present(records: RecordData): boolean;
  render(host: HTMLElement, ctx: ViewContext): () => void;
}

const specs = new Map<string, ViewSpec>();
/** Lone views on one page share run colours (a Board's tabs use the Board's own map). */
const pageColors = new ColorMap();

export function registerView(spec: ViewSpec): void {
  specs.set(spec.kind, spec);
}

export function viewSpecs(): ViewSpec[] {
  return [...specs.values()].sort((a, b) => a.order - b.order);
}

function uiState(model: ModelLike): UiState {
  let timer = 0;
  let pending: Record<string, unknown> = {};
  return {
    get<T>(key: string, fallback: T): T {
      const ui = (model.get("ui") ?? {}) as Record<string, unknown>;
      return key in pending ? (pending[key] as T) : key in ui ? (ui[key] as T) : fallback;
    },
    set(key: string, value: unknown): void {
      pending[key] = value;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        try {
          model.set("ui", { ...(model.get("ui") ?? {}), ...pending });
          pending = {};
          model.save_changes();
        } catch {
          /* no kernel (static page): UI state lives in the page only */
        }
      }, 300);
    },
  };
}

/** The context for a model's views (one per model: a Board's tabs share it). */
export function contextFor(model: ModelLike, uid: string, scalars: ScalarSource | null, inBoard: boolean): ViewContext {
  injectViewStyles();
  const records = recordData(uid);
  records.model = model;
  const ui = uiState(model);
  const opts = (model.get("options") ?? {}) as Record<string, unknown>;
  const filters = new SharedFilters(
    {
      run_filter: ui.get("run_filter", String(opts.run_filter ?? "")),
      tag_filter: ui.get("tag_filter", String(opts.tag_filter ?? "")),
    },
    (v) => {
      ui.set("run_filter", v.run_filter);
      ui.set("tag_filter", v.tag_filter);
    },
  );
  return { model, records, colors: inBoard && scalars ? scalars.colors : pageColors, filters, ui, scalars, inBoard };
}

/** Render a lone record view of `kind`; undefined when no view registered it. */
export function renderRegistered(kind: string, model: ModelLike, host: HTMLElement, scalars: ScalarSource | null): (() => void) | undefined {
  const spec = specs.get(kind);
  if (!spec) return undefined;
  const ctx = contextFor(model, String(model.get("_uid")), scalars, false);
  const root = el("div", `nbb-root nbb-v-view nbb-v-${kind}`);
  host.appendChild(root);
  const dispose = spec.render(root, ctx);
  return () => {
    dispose();
    root.remove();
  };
}

export { dropRecordData } from "./records";

/** A kernel message for the record views (ignored when it is not a records message). */
export function recordsMessage(uid: string, content: unknown, buffers: readonly ArrayBuffer[] | readonly DataView[]): void {
  recordData(uid).apply(content, buffers as readonly ArrayBuffer[]);
}

/**
 * Add the registered views to a Board as tabs, each appearing once its kind has data.
 * `scalarTab`/`scalarRoot` are the Board's scalar tab and view; the current tab is kept in `ui`.
 */
export function boardTabs(
  model: ModelLike,
  scalars: ScalarSource,
  tabs: HTMLElement,
  body: HTMLElement,
  scalarTab: HTMLElement,
  scalarRoot: HTMLElement,
): () => void {
  const ctx = contextFor(model, String(model.get("_uid")), scalars, true);
  const shown = new Map<string, { tab: HTMLButtonElement; pane: HTMLElement; dispose: (() => void) | null }>();
  let current = ctx.ui.get("tab", "scalars");
  // True while the Board shows another tab only because no scalar had arrived yet: the first
  // scalars bring it back, unless the user picked a tab meanwhile.
  let autoPicked = false;
  scalarTab.dataset.kind = "scalars";
  const select = (kind: string) => {
    current = kind;
    scalarTab.classList.toggle("nbb-on", kind === "scalars");
    scalarRoot.style.display = kind === "scalars" ? "" : "none";
    for (const [k, t] of shown) {
      const on = k === kind;
      t.tab.classList.toggle("nbb-on", on);
      t.pane.style.display = on ? "" : "none";
      if (on && !t.dispose) t.dispose = specs.get(k)!.render(t.pane, ctx);
    }
    ctx.ui.set("tab", kind);
    body.dataset.tab = kind;
  };
  ctx.openScalars = (run: string) => {
    select("scalars");
    const inp = scalarRoot.querySelector<HTMLInputElement>(".nbb-run-filter input");
    if (inp) {
      inp.value = "^" + run.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$";
      inp.dispatchEvent(new Event("input", { bubbles: true }));
    }
  };
  const choose = (kind: string) => {
    autoPicked = false;
    select(kind);
  };
  scalarTab.addEventListener("click", () => choose("scalars"));
  // One run/tag filter for the whole Board: the scalar tab's inputs and the record tabs' stay in step.
  const offFilters: (() => void)[] = [];
  for (const [key, cls] of [["run_filter", "nbb-run-filter"], ["tag_filter", "nbb-tag-filter"]] as const) {
    const inp = scalarRoot.querySelector<HTMLInputElement>(`.${cls} input`);
    if (!inp) continue;
    const push = () => {
      const v = ctx.filters.get(key);
      if (inp.value !== v) {
        inp.value = v;
        inp.dispatchEvent(new Event("input", { bubbles: true }));
      }
    };
    inp.addEventListener("input", () => {
      if (ctx.filters.get(key) !== inp.value) ctx.filters.set(key, inp.value);
    });
    offFilters.push(ctx.filters.subscribe(push));
    if (ctx.filters.get(key)) push();
    else if (inp.value) ctx.filters.set(key, inp.value);
  }
  const sync = () => {
    for (const spec of viewSpecs()) {
      if (shown.has(spec.kind) || !spec.present(ctx.records)) continue;
      const tab = el("button", "nbb-tab", spec.label);
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.dataset.kind = spec.kind;
      tab.addEventListener("click", () => choose(spec.kind));
      const pane = el("div", `nbb-root nbb-v-view nbb-v-${spec.kind}`);
      pane.style.display = "none";
      body.appendChild(pane);
      shown.set(spec.kind, { tab, pane, dispose: null });
      const order = [...shown.keys()].sort((a, b) => specs.get(a)!.order - specs.get(b)!.order);
      const before = order[order.indexOf(spec.kind) + 1];
      tabs.insertBefore(tab, before ? shown.get(before)!.tab : null);
      if (current === spec.kind) select(spec.kind);
    }
    // A Board with no scalars opens on its first other tab.
    const hasScalars = scalars.byTag.size > 0;
    scalarTab.style.display = hasScalars || shown.size === 0 ? "" : "none";
    if (!hasScalars && current === "scalars" && shown.size) {
      select([...shown.keys()].sort((a, b) => specs.get(a)!.order - specs.get(b)!.order)[0]);
      autoPicked = true;
    } else if (hasScalars && autoPicked) {
      autoPicked = false;
      select("scalars");
    }
  };
  const off1 = ctx.records.subscribe((_c, structural) => structural && sync());
  const off2 = scalars.subscribe((_c, structural) => structural && sync());
  sync();
  if (current === "scalars") select("scalars");
  return () => {
    off1();
    off2();
    offFilters.forEach((f) => f());
    for (const t of shown.values()) t.dispose?.();
  };
}
