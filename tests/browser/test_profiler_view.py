"""The profiler in a real JupyterLab: a profiled training cell (a CNN on digits, nbboard's
handler) shows its Profiler tab on the Board while it runs; the tabs switch, the operator table
sorts and searches, a row shows its call stack and module; `nbboard.Profiler(...)` alone renders."""

from __future__ import annotations

import textwrap
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.lab import (
    CELLS,
    add_cell,
    open_notebook,
    prompt,
    run_cell,
    wait_cell_done,
    wait_for_output,
)

TRAIN = textwrap.dedent("""
    import time, warnings
    import nbboard
    warnings.filterwarnings("ignore", ".*Profiler clears events")
    from tests.profiler_model import profile_training
    w = nbboard.SummaryWriter("prof-runs/cnn")
    display(nbboard.Board("prof-runs"))
    profile_training(w.profiler_handler(worker_name="trainer"), repeat=3)
    w.flush()
    time.sleep(6)  # the cell is still running while the page shows the profiles
    w.close()
    print("done")
""")


def _profiler_tab(page: Page, jupyter_server, name: str, code: str, profiles: int) -> Any:
    """Run `code` (a cell showing a Board) in a new notebook, open the Board's Profiler tab once it
    appears and wait for `profiles` profiles; returns the view's locator."""
    nb = jupyter_server.notebook(name, [code])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    board = ".jp-OutputArea-output .nbb-board"
    tab = page.locator(f"{board} .nbb-tab[data-kind='profiler']")
    expect(tab).to_be_visible(timeout=120_000)
    tab.click()
    view = page.locator(f"{board} .nbb-v-profiler")
    page.wait_for_function(f"el => Number(el.dataset.profiles || 0) >= {profiles}", arg=view.element_handle(), timeout=60_000)
    return view


def _select_by_search(view: Any, name: str) -> Any:
    """In the Trace tab: search `name`, Enter selects its first event; the search is cleared
    again and the details' locator returned."""
    search = view.locator(".nbb-prof-trace-search")
    search.fill(name)
    search.press("Enter")
    expect(view.locator("canvas.nbb-prof-trace-canvas")).to_have_attribute("data-selected", name)
    detail = view.locator(".nbb-prof-trace .nbb-prof-detail")
    search.fill("")
    return detail


def test_profile_renders_live_and_responds(page: Page, jupyter_server, artifacts):
    view = _profiler_tab(page, jupyter_server, "profiler.ipynb", TRAIN, profiles=3)
    assert "*" in prompt(page), "the profiles must show while the training cell runs"

    # Overview: the breakdown (CPU exec and DataLoader) and the step-time chart
    expect(view.locator(".nbb-prof-breakdown tr[data-role='cpu_exec']")).to_be_visible()
    expect(view.locator(".nbb-prof-breakdown tr[data-role='dataloader']")).to_be_visible()
    expect(view.locator("canvas.nbb-prof-steps")).to_be_visible()
    expect(view.locator(".nbb-prof-tab")).to_have_text(["Overview", "Operators", "Trace", "Memory", "Modules", "Compare", "Recommendations"])
    wait_for_output(page, "done", timeout=120_000)
    wait_cell_done(page, 0)
    view.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "profiler-overview.png"), full_page=False)

    # Operators: sorted by host total, then by calls; searched; a row's stack and module
    view.locator(".nbb-prof-tab[data-tab='operators']").click()
    rows = view.locator(".nbb-prof-optable tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 40
    view.locator(".nbb-prof-sortable[data-key='calls']").click()
    calls = page.evaluate("() => [...document.querySelectorAll('.nbb-v-profiler .nbb-prof-optable tbody tr')]"
                          ".map(r => Number(r.children[1].textContent.replace(/,/g, '')))")
    assert calls == sorted(calls, reverse=True) and calls[0] > calls[-1]
    view.locator(".nbb-prof-search").fill("aten::conv")
    names = page.evaluate("() => [...document.querySelectorAll('.nbb-v-profiler .nbb-prof-optable tbody tr')].map(r => r.dataset.name)")
    assert names and all(n.startswith("aten::conv") for n in names) and "aten::conv2d" in names
    view.locator(".nbb-prof-optable tbody tr[data-name='aten::conv2d']").click()
    detail = view.locator(".nbb-prof-detail")
    expect(detail).to_contain_text("Module: Net_0 › Sequential_0 › Conv2d_")
    expect(detail).to_contain_text("profiler_model.py")
    view.locator(".nbb-prof-check input").check()
    expect(view.locator(".nbb-prof-optable th", has_text="Input shape")).to_be_visible()
    expect(view.locator(".nbb-prof-optable td.nbb-prof-shape", has_text="[[32, 1, 8, 8]")).to_have_count(2)
    page.screenshot(path=str(artifacts / "profiler-operators.png"), full_page=False)

    # Trace: the timeline draws, zooms on the wheel, searches, and a click shows an event
    view.locator(".nbb-prof-tab[data-tab='trace']").click()
    canvas = view.locator("canvas.nbb-prof-trace-canvas")
    expect(canvas).to_be_visible()
    page.wait_for_function("el => Number(el.dataset.drawn || 0) > 100", arg=canvas.element_handle())
    full = canvas.get_attribute("data-window")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 40)
    for _ in range(6):
        page.mouse.wheel(0, -200)
    page.wait_for_function("([el, w]) => el.dataset.window !== w", arg=[canvas.element_handle(), full])
    a, b = (float(x) for x in canvas.get_attribute("data-window").split(","))
    f0, f1 = (float(x) for x in full.split(","))
    assert b - a < (f1 - f0) / 2
    view.locator(".nbb-prof-trace-search").fill("conv2d")
    expect(view.locator(".nbb-prof-trace .nbb-status-text")).to_contain_text("events match")
    view.locator(".nbb-prof-trace button", has_text="Reset zoom").click()
    page.wait_for_function("([el, w]) => el.dataset.window === w", arg=[canvas.element_handle(), full])
    view.locator(".nbb-prof-trace-search").fill("")
    box = canvas.bounding_box()  # the toolbar may have wrapped meanwhile
    page.mouse.click(box["x"] + 150 + (box["width"] - 150) * 0.5, box["y"] + 20 + 8)  # the first row
    expect(view.locator(".nbb-prof-trace .nbb-prof-detail")).to_contain_text("duration")
    view.locator(".nbb-prof-trace-search").fill("ProfilerStep")
    page.screenshot(path=str(artifacts / "profiler-trace.png"), full_page=False)

    # Flows: the forward → backward arrows are drawn; Enter in the search goes to the first
    # aten::convolution, whose details link its backward op; the link jumps there and back
    search = view.locator(".nbb-prof-trace-search")
    search.fill("")
    page.wait_for_function("el => Number(el.dataset.arrows || 0) >= 10", arg=canvas.element_handle())
    trace_detail = _select_by_search(view, "aten::convolution")
    expect(trace_detail.locator(".nbb-prof-flow[data-rel='backward']")).to_contain_text("ConvolutionBackward0")
    canvas.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "profiler-flows.png"), full_page=False)
    trace_detail.screenshot(path=str(artifacts / "profiler-flows-detail.png"))
    trace_detail.locator(".nbb-prof-flow[data-rel='backward'] button").click()
    expect(canvas).to_have_attribute("data-selected", "ConvolutionBackward0")
    expect(trace_detail.locator(".nbb-prof-flow[data-rel='backward of']")).to_contain_text("aten::convolution")
    view.locator(".nbb-prof-flows input").uncheck()
    page.wait_for_function("el => el.dataset.arrows === '0'", arg=canvas.element_handle())
    view.locator(".nbb-prof-flows input").check()
    page.wait_for_function("el => Number(el.dataset.arrows || 0) > 0", arg=canvas.element_handle())

    # Memory, Modules, Recommendations
    view.locator(".nbb-prof-tab[data-tab='memory']").click()
    expect(view.locator("canvas.nbb-prof-mem[data-device='CPU']")).to_be_visible()
    expect(view).to_contain_text("CPU: peak")
    page.screenshot(path=str(artifacts / "profiler-memory.png"), full_page=False)
    view.locator(".nbb-prof-tab[data-tab='modules']").click()
    expect(view.locator(".nbb-prof-modules tr[data-path='Net_0/Sequential_0/Conv2d_0']")).to_be_visible()
    view.locator(".nbb-prof-modules tr[data-path='Net_0/Sequential_0'] td").first.click()
    expect(view.locator(".nbb-prof-modules tr[data-path='Net_0/Sequential_0/Conv2d_0']")).to_have_count(0)
    page.screenshot(path=str(artifacts / "profiler-modules.png"), full_page=False)
    view.locator(".nbb-prof-tab[data-tab='advice']").click()
    expect(view.locator(".nbb-prof-card[data-id='cpu_bound']")).to_contain_text("ms per step, all on the host")
    page.screenshot(path=str(artifacts / "profiler-recommendations.png"), full_page=False)

    # Compare: two sides picked from what the page holds (3 cycles: each whole and its 2 steps);
    # the table is sorted by the size of the change, in host self time, then in calls
    view.locator(".nbb-prof-tab[data-tab='compare']").click()
    base = view.locator("select.nbb-prof-cmp-base")
    assert base.locator("option").count() == 9
    base.select_option(index=1)  # the first cycle's first step
    view.locator("select.nbb-prof-cmp-other").select_option(index=8)  # the newest cycle's last step
    expect(view.locator(".nbb-prof-cmptable tbody tr").first).to_be_visible()

    def deltas(field):
        return page.evaluate("f => [...document.querySelectorAll(`.nbb-v-profiler .nbb-prof-cmptable td[data-field='${f}']`)]"
                             ".map(c => Math.abs(Number(c.dataset.delta)))", field)

    d = deltas("host_self")
    assert len(d) > 20 and d == sorted(d, reverse=True) and d[0] > 0
    view.locator(".nbb-prof-cmptable th[data-key='calls']").click()
    d = deltas("calls")
    assert d == sorted(d, reverse=True)
    view.locator(".nbb-prof-cmptable th[data-key='host_self']").click()
    expect(view.locator(".nbb-prof-compare")).to_contain_text("Host self time of the operators per step")
    page.screenshot(path=str(artifacts / "profiler-compare.png"), full_page=False)
    base.select_option(index=8)  # a step against itself: no change anywhere
    page.wait_for_function("() => [...document.querySelectorAll('.nbb-v-profiler .nbb-prof-cmptable td.nbb-prof-delta')]"
                           ".every(c => Number(c.dataset.delta) === 0)")

    # the view alone, on the logdir (read from the trace files)
    add_cell(page, 'nbboard.Profiler("prof-runs")')
    run_cell(page, 1)
    alone = page.locator(CELLS).nth(1).locator(".jp-OutputArea-output .nbb-v-profiler")
    page.wait_for_function("el => Number(el.dataset.profiles || 0) >= 3", arg=alone.element_handle(), timeout=60_000)
    expect(alone.locator(".nbb-prof-breakdown tr[data-role='cpu_exec']")).to_be_visible()
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_exported_report_shows_the_profile_offline(browser, tmp_path, artifacts):
    """`nbboard report` of a logdir of torch's trace files: the Profiler tab works from file://."""
    import torch

    from nbboard.export import export_report
    from tests.profiler_model import profile_training

    profile_training(torch.profiler.tensorboard_trace_handler(str(tmp_path / "logs" / "exp")), repeat=1)
    out = tmp_path / "report.html"
    export_report(str(tmp_path / "logs"), out)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.as_uri())
    page.locator(".nbb-tab[data-kind='profiler']").click(timeout=30_000)
    expect(page.locator(".nbb-prof-breakdown tr[data-role='cpu_exec']")).to_be_visible()
    page.locator(".nbb-prof-tab[data-tab='modules']").click()
    expect(page.locator(".nbb-prof-modules tr[data-path='Net_0']")).to_be_visible()
    page.close()
    assert not errors, errors


def test_distributed_tab_lays_the_ranks_side_by_side(page: Page, jupyter_server, artifacts, ddp_profiles):
    """A real 2-rank gloo DDP job (rank 1 sleeps 20 ms a step): in both layouts (torch's handler,
    one folder; nbboard's, a folder per rank) the Distributed tab shows both ranks and names rank 1
    as the one the other waits for."""
    code = f"import nbboard\nnbboard.Board({str(ddp_profiles)!r})"
    view = _profiler_tab(page, jupyter_server, "profiler-ddp.ipynb", code, profiles=4)
    pick = view.locator(".nbb-prof-pick")
    labels = pick.locator("option").all_inner_texts()
    for run in ("nb/rank0", "torch"):
        label = next(x for x in labels if x.startswith(run + " · "))
        pick.select_option(label=label)
        view.locator(".nbb-prof-tab[data-tab='distributed']").click()
        verdict = view.locator(".nbb-prof-verdict")
        expect(verdict).to_have_attribute("data-straggler", "1")
        expect(verdict).to_contain_text("Rank 1 is the one the others wait for")
        rows = view.locator(".nbb-prof-disttable tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_have_attribute("data-rank", "0")
        expect(rows.nth(0).locator(".nbb-prof-seg[data-part='waiting']")).to_be_visible()
        expect(rows.nth(1).locator(".nbb-prof-seg[data-part='waiting']")).to_have_count(0)
        expect(view.locator(".nbb-prof-commops")).to_contain_text("gloo:all_reduce")
    view.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "profiler-distributed.png"), full_page=False)


def test_cuda_views_render_and_respond(page: Page, jupyter_server, artifacts):
    """A CUDA trace in kineto's format (two GPUs, launches linked to kernels; no GPU here, so not
    a recorded one): the Overview's GPU summary has a row per GPU with the figures the analysis
    gives, the GPU Kernels tab lists the kernels with the op that launched them, and the Trace tab
    draws the GPU streams' lanes and the launch arrows; a kernel's details name its launch. A cut-off
    trace file beside it is named in the view with what is wrong."""
    import json

    from nbboard.kinds.profiler.analysis import analyse
    from nbboard.kinds.profiler.trace import parse_trace
    from tests.test_profiler import two_gpu_trace

    data = json.dumps(two_gpu_trace()).encode()
    run = jupyter_server.root / "cuda-runs" / "gpu"
    run.mkdir(parents=True, exist_ok=True)
    (run / "host.1700000000000.pt.trace.json").write_bytes(data)
    broken = jupyter_server.root / "cuda-runs" / "broken"
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "w<img src=x onerror=window.__xss=1>.1.pt.trace.json").write_bytes(data[: len(data) // 3])  # cut off; markup in its name
    gpus = analyse(parse_trace(data)).device["gpus"]
    code = "import nbboard\nnbboard.Profiler('cuda-runs')"
    nb = jupyter_server.notebook("profiler-cuda.ipynb", [code])
    open_notebook(page, jupyter_server.lab(nb))
    run_cell(page)
    view = page.locator(".jp-OutputArea-output .nbb-v-profiler")
    page.wait_for_function("el => Number(el.dataset.profiles || 0) >= 1", arg=view.element_handle(), timeout=60_000)
    # the cut-off trace is named with what is wrong, as text (its name's markup is not markup)
    problems = view.locator(".nbb-prof-problems")
    expect(problems).to_contain_text("1 trace file could not be read:")
    expect(problems.locator(".nbb-prof-problem")).to_have_text(
        "broken: w<img src=x onerror=window.__xss=1>.1.pt.trace.json: not JSON or truncated (Input data was truncated)")
    expect(problems.locator("img")).to_have_count(0)
    assert page.evaluate("() => window.__xss") is None
    rows = view.locator(".nbb-prof-gpus tbody tr")
    expect(rows).to_have_count(2)
    for i, g in enumerate(gpus):
        cells = rows.nth(i).locator("td")
        expect(rows.nth(i)).to_have_attribute("data-device", str(g["device"]))
        expect(cells.nth(1)).to_have_text("NVIDIA H100")
        expect(cells.nth(4)).to_have_text(f"{100 * g['utilisation']:.1f}%")
        expect(cells.nth(5)).to_have_text(f"{100 * g['sm_efficiency']:.1f}%")
        expect(cells.nth(6)).to_have_text(f"{g['occupancy']:.1f}%")
    view.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "profiler-gpu-summary.png"), full_page=False)

    view.locator(".nbb-prof-tab[data-tab='kernels']").click()
    krows = view.locator(".nbb-prof-kernels tbody tr")
    expect(krows).to_have_count(5)
    expect(view.locator(".nbb-prof-kernels tr[data-kernel='kernel_1'] td").last).to_have_text("aten::add")
    expect(view.locator(".nbb-prof-kernels tr[data-kernel='kernel_0'] td").last).to_have_text("aten::mm")
    page.screenshot(path=str(artifacts / "profiler-kernels.png"), full_page=False)

    view.locator(".nbb-prof-tab[data-tab='trace']").click()
    canvas = view.locator("canvas.nbb-prof-trace-canvas")
    page.wait_for_function("el => Number(el.dataset.arrows || 0) > 0", arg=canvas.element_handle())
    detail = _select_by_search(view, "kernel_2")
    expect(detail.locator(".nbb-prof-flow[data-rel='launched by']")).to_contain_text("cudaLaunchKernel")
    canvas.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "profiler-cuda-trace.png"), full_page=False)
    assert not page.errors, page.errors  # type: ignore[attr-defined]
