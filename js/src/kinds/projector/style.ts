/** The projector view's stylesheet (theme colours from the --nbb-* variables, i.e. JupyterLab's --jp-*). */
export const PROJECTOR_CSS = `
.nbb-pj { display: flex; flex-direction: column; gap: 4px; }
.nbb-pj .nbb-toolbar { gap: 6px 12px; }
.nbb-pj-stage { position: relative; width: 100%; border: 1px solid var(--nbb-border); border-radius: 4px; overflow: hidden;
  background: var(--nbb-bg); }
.nbb-pj-stage > canvas { display: block; width: 100%; height: 100%; outline: none; touch-action: none; }
.nbb-pj-stage.nbb-pj-hovering > canvas { cursor: pointer; }
.nbb-pj-over { position: absolute; z-index: 2; font-size: 11.5px; line-height: 1.4; color: var(--nbb-fg);
  background: color-mix(in srgb, var(--nbb-bg) 90%, transparent); border: 1px solid var(--nbb-border); border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.12); }
.nbb-pj-legend { top: 8px; right: 8px; max-height: calc(100% - 16px); max-width: 220px; overflow: auto; padding: 6px 8px; }
.nbb-pj-legend-title { font-weight: 600; margin-bottom: 4px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.nbb-pj-legend-row { display: flex; align-items: center; gap: 6px; padding: 1px 3px; margin: 0 -3px; border-radius: 3px; cursor: pointer;
  white-space: nowrap; }
.nbb-pj-legend-row:hover { background: var(--nbb-bg3); }
.nbb-pj-legend-row.nbb-on { background: color-mix(in srgb, var(--nbb-accent) 18%, transparent); }
.nbb-pj-legend-row .nbb-pj-name { flex: 1; overflow: hidden; text-overflow: ellipsis; max-width: 140px; }
.nbb-pj-legend-row .nbb-pj-count { color: var(--nbb-fg3); font-variant-numeric: tabular-nums; }
.nbb-pj-swatch { flex: none; width: 10px; height: 10px; border-radius: 50%; box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.18); }
.nbb-pj-ramp { display: block; width: 160px; height: 10px; border-radius: 2px; }
.nbb-pj-ramp-labels { display: flex; justify-content: space-between; color: var(--nbb-fg2); font-variant-numeric: tabular-nums; }
.nbb-pj-tip { pointer-events: none; padding: 4px 7px; max-width: 280px; display: none; }
.nbb-pj-kv { display: flex; gap: 6px; white-space: nowrap; }
.nbb-pj-kv .nbb-pj-k { color: var(--nbb-fg2); }
.nbb-pj-kv .nbb-pj-v { overflow: hidden; text-overflow: ellipsis; max-width: 220px; font-weight: 600; }
.nbb-pj-thumb { display: block; margin: 3px 0; image-rendering: pixelated; border: 1px solid var(--nbb-border); background: #000; }
.nbb-pj-info { left: 8px; top: 8px; width: 230px; max-height: calc(100% - 16px); overflow: auto; padding: 6px 8px; display: none; }
.nbb-pj-info-head { display: flex; align-items: center; gap: 6px; margin-bottom: 3px; }
.nbb-pj-info-head b { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.nbb-pj-sec { margin: 6px 0 2px; color: var(--nbb-fg2); font-weight: 600; }
.nbb-pj-nn { display: flex; align-items: center; gap: 6px; padding: 1px 3px; margin: 0 -3px; border-radius: 3px; cursor: pointer; white-space: nowrap; }
.nbb-pj-nn:hover { background: var(--nbb-bg3); }
.nbb-pj-nn .nbb-pj-name { flex: 1; overflow: hidden; text-overflow: ellipsis; }
.nbb-pj-nn .nbb-pj-count { color: var(--nbb-fg3); font-variant-numeric: tabular-nums; }
.nbb-pj-foot { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 2px 16px; font-size: 11.5px; padding: 0 2px; }
.nbb-pj-status { color: var(--nbb-fg2); font-variant-numeric: tabular-nums; }
.nbb-pj-status .nbb-pj-err { color: var(--nbb-error); }
.nbb-pj-hint { color: var(--nbb-fg3); }
.nbb-pj-spin { display: inline-block; width: 9px; height: 9px; margin-right: 4px; border: 2px solid var(--nbb-accent);
  border-right-color: transparent; border-radius: 50%; animation: nbb-pj-spin 0.8s linear infinite; vertical-align: -1px; }
@keyframes nbb-pj-spin { to { transform: rotate(360deg); } }
.nbb-pj .nbb-btn[disabled] { opacity: 0.45; cursor: default; }
.nbb-pj .nbb-btn.nbb-pj-busy::after { content: "…"; }
.nbb-pj .nbb-btn.nbb-pj-failed { opacity: 0.55; text-decoration: line-through; }
.nbb-pj select.nbb-input { width: auto; max-width: 16em; }
.nbb-pj-search { width: 12em; }
.nbb-pj-params { align-items: center; }
.nbb-pj-bookmarks { display: inline-flex; align-items: center; gap: 4px; }
.nbb-pj-bookmarks .nbb-input { font-size: 11.5px; padding: 1px 4px; }
.nbb-pj-bookmarks .nbb-btn { font-size: 11.5px; padding: 1px 6px; }
.nbb-pj-bm-name { width: 10em; }
.nbb-pj-params input.nbb-input { width: 5.5em; }
.nbb-pj-params input.nbb-pj-custom { width: 8em; }
.nbb-pj-progress { display: inline-flex; align-items: center; gap: 6px; color: var(--nbb-fg2); font-size: 11.5px;
  font-variant-numeric: tabular-nums; }
.nbb-pj-progress .nbb-pj-err { color: var(--nbb-error); }
.nbb-pj-meter { width: 90px; height: 5px; border-radius: 3px; background: var(--nbb-bg3); overflow: hidden; }
.nbb-pj-meter > div { height: 100%; width: 0; background: var(--nbb-accent); }
.nbb-pj-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  color: var(--nbb-fg2); background: var(--nbb-bg); }
`;
