/**
 * The graph view's stylesheet. Colours are --nbg-* variables defined from JupyterLab's --jp-*
 * variables, so light and dark themes both fit; an exported SVG gets them resolved to values.
 */

export const GRAPH_VARS = [
  "--nbg-bg", "--nbg-bg2", "--nbg-bg3", "--nbg-fg", "--nbg-fg2", "--nbg-fg3", "--nbg-border",
  "--nbg-border2", "--nbg-accent", "--nbg-hl", "--nbg-font", "--nbg-mono",
  "--nbg-c-conv", "--nbg-c-linear", "--nbg-c-norm", "--nbg-c-act", "--nbg-c-pool", "--nbg-c-drop",
  "--nbg-c-attn", "--nbg-c-module", "--nbg-c-io",
] as const;

/** Rules for the SVG drawing only (also embedded in exported SVG files). */
export const SVG_CSS = `
.nbg-svg { font-family: var(--nbg-font); }
.nbg-svg text { fill: var(--nbg-fg); font-size: 11px; dominant-baseline: middle; pointer-events: none; }
.nbg-svg .nbg-l1 { font-size: 12px; font-weight: 600; }
.nbg-svg .nbg-l2 { fill: var(--nbg-fg2); font-size: 10.5px; }
.nbg-svg .nbg-box { fill: color-mix(in srgb, var(--nbg-cat) 14%, var(--nbg-bg)); stroke: color-mix(in srgb, var(--nbg-cat) 70%, var(--nbg-bg)); stroke-width: 1.2; }
.nbg-svg .nbg-node { --nbg-cat: var(--nbg-c-module); cursor: pointer; }
.nbg-svg .nbg-cat-conv { --nbg-cat: var(--nbg-c-conv); }
.nbg-svg .nbg-cat-linear { --nbg-cat: var(--nbg-c-linear); }
.nbg-svg .nbg-cat-norm { --nbg-cat: var(--nbg-c-norm); }
.nbg-svg .nbg-cat-act { --nbg-cat: var(--nbg-c-act); }
.nbg-svg .nbg-cat-pool { --nbg-cat: var(--nbg-c-pool); }
.nbg-svg .nbg-cat-drop { --nbg-cat: var(--nbg-c-drop); }
.nbg-svg .nbg-cat-attn { --nbg-cat: var(--nbg-c-attn); }
.nbg-svg .nbg-cat-op, .nbg-svg .nbg-cat-param { --nbg-cat: var(--nbg-fg3); }
.nbg-svg .nbg-cat-op .nbg-box, .nbg-svg .nbg-cat-param .nbg-box { fill: var(--nbg-bg3); }
.nbg-svg .nbg-cat-input, .nbg-svg .nbg-cat-output { --nbg-cat: var(--nbg-c-io); }
.nbg-svg .nbg-cat-input .nbg-box, .nbg-svg .nbg-cat-output .nbg-box { stroke-width: 1.8; }
.nbg-svg .nbg-group .nbg-box { fill: var(--nbg-bg2); stroke: var(--nbg-border2); stroke-width: 1.3; }
.nbg-svg .nbg-group .nbg-stack { fill: var(--nbg-bg2); stroke: var(--nbg-border2); stroke-width: 1; }
.nbg-svg .nbg-badge { fill: var(--nbg-fg2); font-size: 10px; font-weight: 600; }
.nbg-svg .nbg-rep { font-size: 10px; font-weight: 600; }
.nbg-svg .nbg-cbox { fill: color-mix(in srgb, var(--nbg-fg) 3%, var(--nbg-bg)); stroke: var(--nbg-border2); stroke-width: 1; }
.nbg-svg .nbg-cluster.nbg-depth-odd .nbg-cbox { fill: color-mix(in srgb, var(--nbg-fg) 6%, var(--nbg-bg)); }
.nbg-svg .nbg-ctitle { font-size: 11.5px; font-weight: 600; fill: var(--nbg-fg); }
.nbg-svg .nbg-ctitle tspan { font-weight: 400; fill: var(--nbg-fg2); }
.nbg-svg .nbg-cbtn { font-size: 14px; font-weight: 600; fill: var(--nbg-fg2); }
.nbg-svg .nbg-chead { fill: transparent; cursor: pointer; }
.nbg-svg .nbg-edge { fill: none; stroke: var(--nbg-fg3); stroke-width: 1.2; pointer-events: none; }
.nbg-svg .nbg-edge.nbg-multi { stroke-width: 2; }
.nbg-svg .nbg-arrow { fill: var(--nbg-fg3); }
.nbg-svg .nbg-elabel { font-family: var(--nbg-mono); font-size: 9.5px; fill: var(--nbg-fg2); paint-order: stroke; stroke: var(--nbg-bg); stroke-width: 3px; stroke-linejoin: round; dominant-baseline: middle; }
.nbg-svg .nbg-stripe { stroke: none; }
.nbg-svg .nbg-bandbox { fill-opacity: 0.07; stroke-opacity: 0.55; stroke-width: 1; }
.nbg-svg .nbg-bandlabel { font-size: 10px; font-weight: 600; }
.nbg-svg .nbg-match .nbg-box, .nbg-svg .nbg-match .nbg-cbox { stroke: var(--nbg-hl); stroke-width: 2.6; stroke-dasharray: none; }
.nbg-svg .nbg-selected .nbg-box { stroke: var(--nbg-accent); stroke-width: 2.6; }
.nbg-svg .nbg-shared.nbg-selected .nbg-box { stroke-dasharray: none; stroke-width: 3; }
.nbg-svg .nbg-callmark { font-size: 10px; font-weight: 700; fill: var(--nbg-accent); }
.nbg-svg .nbg-shared .nbg-box { stroke-dasharray: 5 2.5; }
.nbg-svg .nbg-same .nbg-box, .nbg-svg .nbg-same .nbg-cbox { stroke: var(--nbg-accent); stroke-width: 2.6; stroke-dasharray: 5 2.5; fill: color-mix(in srgb, var(--nbg-accent) 16%, var(--nbg-bg)); }
`;

/** Rules for the live view around the drawing (toolbar, panel, minimap). */
export const VIEW_CSS = `
.nbg {
  --nbg-bg: var(--jp-layout-color0, #ffffff);
  --nbg-bg2: var(--jp-layout-color1, #ffffff);
  --nbg-bg3: var(--jp-layout-color2, #eeeeee);
  --nbg-fg: var(--jp-ui-font-color1, rgba(0, 0, 0, 0.87));
  --nbg-fg2: var(--jp-ui-font-color2, rgba(0, 0, 0, 0.54));
  --nbg-fg3: var(--jp-ui-font-color3, rgba(0, 0, 0, 0.38));
  --nbg-border: var(--jp-border-color2, #e0e0e0);
  --nbg-border2: var(--jp-border-color1, #bdbdbd);
  --nbg-accent: var(--jp-brand-color1, #1976d2);
  --nbg-hl: var(--jp-warn-color1, #f57c00);
  --nbg-font: var(--jp-ui-font-family, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  --nbg-mono: var(--jp-code-font-family, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
  --nbg-c-conv: var(--jp-brand-color1, #1976d2);
  --nbg-c-linear: var(--jp-accent-color1, #388e3c);
  --nbg-c-norm: var(--jp-info-color1, #0097a7);
  --nbg-c-act: var(--jp-warn-color1, #f57c00);
  --nbg-c-pool: var(--jp-success-color1, #7cb342);
  --nbg-c-drop: var(--jp-ui-font-color3, #9e9e9e);
  --nbg-c-attn: var(--jp-error-color1, #d32f2f);
  --nbg-c-module: var(--jp-brand-color3, #90caf9);
  --nbg-c-io: var(--jp-brand-color0, #0d47a1);
  position: relative; display: flex; flex-direction: column; width: 100%;
  border: 1px solid var(--nbg-border); border-radius: 6px; background: var(--nbg-bg); color: var(--nbg-fg);
  font-family: var(--nbg-font); font-size: 12.5px; overflow: hidden; box-sizing: border-box;
}
.nbg *, .nbg *::before, .nbg *::after { box-sizing: border-box; }
.nbg-bar { display: flex; align-items: center; flex-wrap: wrap; gap: 6px; padding: 6px 8px; border-bottom: 1px solid var(--nbg-border); background: var(--nbg-bg2); }
.nbg-title { font-weight: 600; margin-right: 6px; max-width: 26%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.nbg-title small { font-weight: 400; color: var(--nbg-fg2); margin-left: 6px; }
.nbg-search { width: 15em; padding: 3px 7px; font: inherit; color: var(--nbg-fg); background: var(--jp-input-background, var(--nbg-bg)); border: 1px solid var(--nbg-border2); border-radius: 3px; }
.nbg-search:focus { outline: 1px solid var(--nbg-accent); border-color: var(--nbg-accent); }
.nbg-count { color: var(--nbg-fg2); min-width: 5.5em; font-variant-numeric: tabular-nums; }
.nbg-sp { flex: 1; }
.nbg-btn { font: inherit; font-size: 0.95em; color: var(--nbg-fg2); background: var(--nbg-bg); border: 1px solid var(--nbg-border2); border-radius: 3px; padding: 2px 8px; cursor: pointer; line-height: 1.5; }
.nbg-btn:hover { color: var(--nbg-fg); background: var(--nbg-bg3); }
.nbg-stage { position: relative; height: var(--nbg-height, 560px); overflow: hidden; background: var(--nbg-bg); touch-action: none; }
.nbg-svg { display: block; width: 100%; height: 100%; cursor: grab; user-select: none; }
.nbg-svg.nbg-panning { cursor: grabbing; }
.nbg-svg.nbg-lod .nbg-elabel, .nbg-svg.nbg-lod .nbg-l2 { display: none; }
.nbg-svg.nbg-searching .nbg-node:not(.nbg-match) { opacity: 0.35; }
.nbg-edges { transition: opacity 0.18s; }
.nbg-edges.nbg-hidden { opacity: 0; transition: none; }
.nbg-overview { position: absolute; left: 0; top: 0; pointer-events: none; }
.nbg-mini { position: absolute; right: 10px; bottom: 10px; border: 1px solid var(--nbg-border2); border-radius: 4px; background: var(--nbg-bg2); box-shadow: 0 1px 4px rgba(0,0,0,0.15); cursor: crosshair; }
.nbg-status { position: absolute; left: 10px; bottom: 8px; color: var(--nbg-fg3); font-size: 11.5px; pointer-events: none; background: color-mix(in srgb, var(--nbg-bg) 80%, transparent); padding: 1px 4px; border-radius: 3px; }
.nbg-panel { position: absolute; top: 8px; right: 8px; width: 300px; max-height: calc(100% - 16px); overflow: auto; background: var(--nbg-bg2); border: 1px solid var(--nbg-border2); border-radius: 5px; box-shadow: 0 2px 10px rgba(0,0,0,0.18); padding: 8px 10px 10px; font-size: 12px; }
.nbg-panel[hidden] { display: none; }
.nbg-panel h3 { margin: 0 22px 2px 0; font-size: 13px; word-break: break-all; }
.nbg-panel .nbg-sub { color: var(--nbg-fg2); margin-bottom: 6px; }
.nbg-panel table { border-collapse: collapse; width: 100%; }
.nbg-panel th { text-align: left; vertical-align: top; color: var(--nbg-fg2); font-weight: 400; padding: 2px 8px 2px 0; white-space: nowrap; }
.nbg-panel td { padding: 2px 0; word-break: break-word; font-variant-numeric: tabular-nums; }
.nbg-panel code { font-family: var(--nbg-mono); font-size: 11px; }
.nbg-panel .nbg-close { position: absolute; top: 4px; right: 6px; border: none; background: none; color: var(--nbg-fg2); font-size: 16px; cursor: pointer; }
.nbg-panel .nbg-link { color: var(--nbg-accent); cursor: pointer; text-decoration: none; }
.nbg-panel .nbg-link:hover { text-decoration: underline; }
.nbg-panel .nbg-actions { margin-top: 8px; display: flex; gap: 6px; }
.nbg-empty { padding: 24px; color: var(--nbg-fg2); }
`;
