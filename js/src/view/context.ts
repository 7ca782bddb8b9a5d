/**
 * The contract between the page's shells (a lone view, the Board) and the views of the kinds:
 * a `ViewSpec` says what a view is called, when it has data and how it renders; a `ViewContext`
 * is what the views of one model share — its data, run colours, run/tag filters and `ui` state.
 */
import { ColorMap } from "../lib/colors";
import { recordData, type RecordData } from "../lib/records";
import type { AnyModel, ModelData } from "../model";
import { el, injectViewStyles } from "./dom";
import { SharedFilters } from "./filters";

interface UiState {
  get<T>(key: string, fallback: T): T;
  set(key: string, value: unknown): void;
}

export interface ViewContext {
  model: AnyModel;
  /** the model's records (images, histograms, ..., plugin data) */
  records: RecordData;
  /** the model's scalar series */
  scalars: ModelData;
  /** run → colour: one map for every lone view on the page, one per Board for its tabs */
  colors: ColorMap;
  filters: SharedFilters;
  ui: UiState;
  /** In a Board: show one run on the Board's first tab (the hparams view links sessions to their runs). */
  showRun?: (run: string) => void;
  /** In a Board: show one point (an alert's) on its scalar chart: the scalars tab, filtered to
   * the run and tag, the chart zoomed around the step. */
  showPoint?: (run: string, tag: string, step: number) => void;
  /** In a Board: pick the tab of a view kind. */
  showTab?: (kind: string) => void;
  /** Points a view is asked to bring into sight (the scalar view zooms its chart to them). */
  focus: Set<(run: string, tag: string, step: number) => void>;
  /** False in a page with no kernel (an exported HTML file). */
  live: boolean;
  /** True in a Board: its run table lists, ticks and colours the runs (views need no run list of their own). */
  inBoard: boolean;
}

export interface ViewSpec {
  /** the view kind the kernel names (the model's `kind`) */
  kind: string;
  /** the Board's tab label */
  label: string;
  /** the Board's tab order */
  order: number;
  /** A Board opens on this view, renders it at once and shows its tab even before it has data. */
  home?: boolean;
  /** the class of the view's root element (default `nbb-root nbb-v-view nbb-v-<kind>`) */
  rootClass?: string;
  /** Whether the model has data for this view (a Board adds its tab from then on). */
  present(ctx: ViewContext): boolean;
  /** Draw the view into `root` (its own, empty); returns its teardown. */
  render(root: HTMLElement, ctx: ViewContext): () => void;
}

/** Whether the model holds a record of `kind` (a `present` for views of one record kind). */
export function hasRecords(kind: string): (ctx: ViewContext) => boolean {
  return (ctx) => ctx.records.ofKind(kind).some((s) => s.recs.length > 0);
}

/** Whether some run logged the plugin data `name` (a `present` for views of plugin data). */
export function hasPlugin(name: string): (ctx: ViewContext) => boolean {
  return (ctx) => [...ctx.records.plugins.values()].some((p) => name in p);
}

/** The empty root element a view of `spec` renders into. */
export function viewRoot(spec: ViewSpec): HTMLDivElement {
  return el("div", spec.rootClass ?? `nbb-root nbb-v-view nbb-v-${spec.kind}`);
}

/** UI state kept in the model's `ui` (saved to the kernel shortly after a change); models without one keep it in the page. */
function uiState(model: AnyModel): UiState {
  let timer = 0;
  let pending: Record<string, unknown> = {};
  return {
    get<T>(key: string, fallback: T): T {
      const ui = (model.get("ui") ?? {}) as Record<string, unknown>;
      return key in pending ? (pending[key] as T) : key in ui ? (ui[key] as T) : fallback;
    },
    set(key: string, value: unknown): void {
      pending[key] = value;
      if (model.get("ui") === undefined) return;
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

/** Every lone view on the page colours a run alike (a Board's tabs share the Board's own map). */
const pageColors = new ColorMap();

/** The context for a model's views (one per lone view, one per Board: its tabs share it). */
export function contextFor(model: AnyModel, scalars: ModelData, inBoard: boolean): ViewContext {
  injectViewStyles();
  const records = recordData(scalars.uid);
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
      ui.set("hidden_runs", v.hidden_runs);
    },
    ui.get<string[]>("hidden_runs", Array.isArray(opts.hidden_runs) ? (opts.hidden_runs as string[]) : []),
  );
  const live = !(model as { isStatic?: boolean }).isStatic;
  return { model, records, scalars, colors: inBoard ? scalars.colors : pageColors, filters, ui, focus: new Set(), live, inBoard };
}
