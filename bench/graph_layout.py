"""Graph view layout speed in Chromium: a ResNet-50 fully expanded (anchor: ≤ 1 s) and a
5,000-node graph (opening modules, expanding everything, pan/zoom frame times, search).

Run: .venv/bin/python bench/graph_layout.py  (needs the built nbboard/static/graph.js)
"""

from __future__ import annotations

import os
import time
from typing import Any

from _chromium import STATIC, launch


def synthetic_graph(layers: int = 48, per_layer: int = 104, distinct: bool = False) -> dict:
    """A transformer-like record: `layers` blocks, each with attn/mlp modules, chains and skips;
    `distinct` makes every block's wiring different (no layout can be shared between blocks)."""
    nodes: list[dict] = []
    groups: list[dict] = []
    edges: list[dict] = []

    def node(nid: str, parent: str, op: str, kind: str = "module") -> str:
        nodes.append({"id": nid, "parent": parent, "label": nid.rsplit(".", 1)[-1], "kind": kind, "op": op,
                      "module": nid, "shapes": [[8, 128, 768]], "dtypes": ["float32"], "attrs": {},
                      "params": 590_592 if op == "Linear" else 0, "param_shapes": {}})
        return nid

    def group(gid: str, parent: str, typ: str) -> str:
        groups.append({"id": gid, "parent": parent, "label": gid.rsplit(".", 1)[-1], "module": gid, "type": typ,
                       "params": 0, "param_shapes": {}, "sig": typ, "repeat": layers})
        return gid

    def edge(a: str, b: str) -> None:
        edges.append({"src": a, "dst": b, "shape": [8, 128, 768], "dtype": "float32"})

    prev = node("x", "", "Input", "input")
    group("layers", "", "ModuleList")
    ops = ["Linear", "relu", "LayerNorm", "add", "Dropout", "matmul", "softmax", "GELU"]
    for i in range(layers):
        block = group(f"layers.{i}", "layers", "Block")
        start = prev
        count = 0
        for part in range(4):
            sub = group(f"{block}.part{part}", block, ["Attention", "MLP", "Attention", "MLP"][part])
            entry = prev
            n = (per_layer - 4) // 4
            if distinct:  # chain lengths and skip wiring differ from block to block
                n += (i * 7 + part) % 9 - 4
            for j in range(n):
                nid = node(f"{sub}.n{j}", sub, ops[(j + part) % len(ops)], "module" if j % 3 else "op")
                edge(prev, nid)
                if (j + (i if distinct else 0)) % 7 == 3:
                    edge(entry, nid)
                prev = nid
                count += 1
            res = node(f"{block}.add{part}", block, "add", "op")
            edge(prev, res)
            edge(entry, res)
            prev = res
        edge(start, prev)
    edge(prev, node("output", "", "Output", "output"))
    return {"model": "Synthetic5k", "method": "fx", "params": 0, "nodes": nodes, "groups": groups, "edges": edges}


def transformer_graph() -> Any:
    """A real traced model of ~5,000 nodes: 150 pre-norm blocks (attention + a 10-layer MLP)."""
    import torch
    from torch import nn

    from nbboard.kinds.graph.trace import trace_graph

    class Attention(nn.Module):
        def __init__(self, d: int) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            a = torch.softmax(self.q(x) @ self.k(x).transpose(-1, -2) / 8, -1)
            return self.o(a @ self.v(x))

    class Block(nn.Module):
        def __init__(self, d: int) -> None:
            super().__init__()
            self.n1, self.attn, self.n2 = nn.LayerNorm(d), Attention(d), nn.LayerNorm(d)
            self.mlp = nn.Sequential(*[m for _ in range(10) for m in (nn.Linear(d, d), nn.GELU())])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = x + self.attn(self.n1(x))
            return x + self.mlp(self.n2(x))

    class Transformer(nn.Module):
        def __init__(self, d: int = 16, layers: int = 150) -> None:
            super().__init__()
            self.blocks = nn.ModuleList([Block(d) for _ in range(layers)])
            self.head = nn.Linear(d, 4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            for b in self.blocks:
                x = b(x)
            return self.head(x)

    return trace_graph(Transformer(), torch.randn(2, 8, 16))


SETUP = r"""
async ([code, graphs]) => {
  const g = await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
  const host = document.createElement("div");
  host.style.width = "1200px";
  document.body.appendChild(host);
  const now = () => performance.now();
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const round = (x) => Math.round(x * 10) / 10;
  let v = null;
  window.bench = {
    // ResNet-50 with every module open (cold caches), then collapsed + opening layer3
    async resnet() {
      const out = {};
      let t = now();
      v = g.mountGraph(host, graphs.resnet, { expand: "all" });
      await v.idle();
      out.resnet_expanded_layout_ms = round(g.stats.lastLayoutMs);
      out.resnet_expanded_layout_and_svg_ms = round(now() - t);
      await frame();
      out.resnet_expanded_first_paint_ms = round(now() - t);
      out.resnet_nodes_shown = v.visibleCount;
      out.resnet_modules_open = v.clusterCount;
      v.dispose();
      t = now();
      v = g.mountGraph(host, graphs.resnet, {});
      out.resnet_collapsed_ms = round(now() - t);
      out.resnet_collapsed_shown = v.visibleCount;
      t = now(); v.toggle("layer3"); out.resnet_open_layer3_ms = round(now() - t);
      v.dispose();
      return out;
    },
    // a 5,000-node graph: first view, opening modules, expanding everything
    async big(name) {
      const data = graphs[name];
      const [block, sub] = graphs.ids[name];
      const out = {};
      let t = now();
      v = g.mountGraph(host, data, {});
      out[name + "_nodes"] = data.nodes.length;
      out[name + "_initial_ms"] = round(now() - t);
      out[name + "_initial_shown"] = v.visibleCount;
      t = now(); v.toggle(block); out[name + "_open_one_block_ms"] = round(now() - t);
      t = now(); v.toggle(sub); out[name + "_open_submodule_ms"] = round(now() - t);
      v.dispose();
      t = now();
      v = g.mountGraph(host, data, { expand: "all" });
      const longest = { ms: 0 };
      let last = now();
      let running = true;
      const watch = (async () => { while (running) { await frame(); const n = now(); longest.ms = Math.max(longest.ms, n - last); last = n; } })();
      await v.idle();
      out[name + "_expand_all_ms"] = round(now() - t);
      running = false; await watch;
      out[name + "_expand_all_longest_frame_ms"] = round(longest.ms);
      out[name + "_expanded_shown"] = v.visibleCount;
      await frame(); await frame();
      return out;
    },
    // pan/zoom the expanded graph: whole graph in view ("overview") or 100% on one node ("detail")
    async prepare(name, mode) {
      if (mode === "detail") { v.select(null); v.centerOn(graphs.ids[name][2]); } else v.fit();
      await frame(); await frame(); await frame();
    },
    async panzoom(frames) {
      const times = [];
      let last = now();
      for (let i = 0; i < frames; i++) {
        if (i % 2) v.pan(13, -7); else v.zoom(i < frames / 2 ? 1.04 : 0.96, 600, 280);
        await frame();
        const n = now(); times.push(n - last); last = n;
      }
      times.sort((a, b) => a - b);
      return [round(times[Math.floor(times.length / 2)]), round(times[Math.floor(times.length * 0.9)])];
    },
    async search() {
      v.dispose();
      v = g.mountGraph(host, graphs.big, {});
      const input = host.querySelector(".nbg-search");
      const t = now();
      input.value = "layers.30.part2.n5";
      input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
      await v.idle();
      return { big_search_reveal_ms: round(now() - t) };
    },
  };
}
"""


def main() -> None:
    """Trace ResNet-50, build the synthetic graphs, time the view in headless Chromium, print."""
    from playwright.sync_api import sync_playwright

    from tests.test_graph import resnet50_graph

    code = (STATIC / "graph.js").read_text()
    t0 = time.perf_counter()
    transformer = transformer_graph()
    traced = time.perf_counter() - t0
    graphs = {"resnet": resnet50_graph().to_json(), "big": synthetic_graph(),
              "distinct": synthetic_graph(distinct=True), "transformer": transformer.to_json(),
              "ids": {"big": ["layers.7", "layers.7.part1", "layers.20.part1.n5"],
                      "distinct": ["layers.7", "layers.7.part1", "layers.20.part1.n5"],
                      "transformer": ["blocks.7", "blocks.7.mlp", "blocks.20.mlp.6"]}}
    out: dict = {"transformer_trace_s": round(traced, 2), "transformer_nodes_traced": len(transformer.nodes)}
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_content("<!doctype html><html><body></body></html>")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def busy() -> float:
            """Main-thread time of the renderer so far, in ms (CPU the page used, whatever the load)."""
            m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
            return m["TaskDuration"] * 1000

        page.evaluate(SETUP, [code, graphs])
        out.update(page.evaluate("bench.resnet()"))
        for name in ("big", "distinct", "transformer"):
            out.update(page.evaluate("n => bench.big(n)", name))
            for mode in ("overview", "detail"):
                page.evaluate("([n, m]) => bench.prepare(n, m)", [name, mode])
                frames = 30
                t0 = busy()
                median, p90 = page.evaluate("n => bench.panzoom(n)", frames)
                out[f"{name}_{mode}_panzoom_main_thread_ms_per_frame"] = round((busy() - t0) / frames, 1)
                out[f"{name}_{mode}_panzoom_frame_interval_median_ms"] = median
                out[f"{name}_{mode}_panzoom_frame_interval_p90_ms"] = p90
        out.update(page.evaluate("bench.search()"))
        browser.close()
    width = max(len(k) for k in out)
    for k, v in out.items():
        print(f"{k:<{width}}  {v}")
    try:
        print(f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    except OSError:
        pass
    ok = out["resnet_expanded_first_paint_ms"] <= 1000
    print(f"ResNet-50 fully expanded, layout + draw + first paint: {out['resnet_expanded_first_paint_ms']:.0f} ms "
          f"(anchor ≤ 1000 ms: {'PASS' if ok else 'FAIL'})")


if __name__ == "__main__":
    main()
