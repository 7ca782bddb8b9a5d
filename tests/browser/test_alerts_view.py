"""Alerts in a real JupyterLab: a training cell crosses a threshold while it runs; the chart's
marker, the Board's banner, the page title and the Alerts tab appear before the cell ends, and
"Show" brings the point into sight."""

from __future__ import annotations

import textwrap

from playwright.sync_api import Page, expect

from tests.browser.lab import open_notebook, prompt, run_cell, wait_for_output

TRAIN = textwrap.dedent("""
    import math, time
    from nbboard import SummaryWriter, Board
    logdir = {logdir!r}
    w = SummaryWriter(f"{{logdir}}/lr=0.1")
    w.add_alert("loss", above=2.0, name="loss above 2")
    w.add_alert("loss", rising=True, window=20, name="loss rising")
    display(Board(logdir))
    crossed = None
    for step in range({steps}):
        v = 1.0 + 0.05 * math.sin(step) if step < {turn} else 1.0 + (step - {turn}) * 0.02
        w.add_scalar("loss", v, step)
        w.add_scalar("accuracy", 0.5 + step / 1000 if step != {nan_at} else float("nan"), step)
        if crossed is None and v > 2.0:
            crossed = time.time()
        time.sleep({sleep})
    w.close()
    print("crossed", crossed)
    print("done")
""")

NOTES = """() => {
  const Real = window.Notification;
  window.__nbbNotes = [];
  class Recorded extends Real {
    constructor(title, opts) { window.__nbbNotes.push([title, (opts && opts.body) || ""]); super(title, opts); }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...a) => Real.requestPermission(...a);
  window.Notification = Recorded;
}"""


def test_alert_marks_banner_and_tab_while_the_cell_runs(page: Page, jupyter_server, artifacts, tmp_path):
    steps, turn = 400, 150  # loss crosses 2.0 at step 201, ~2.5 s before the cell ends
    # a logdir beside the notebook, as a user would write it (the screenshot is the README's)
    code = TRAIN.format(logdir="alert-runs", steps=steps, turn=turn, nan_at=60, sleep=0.03)
    nb = jupyter_server.notebook("alerts.ipynb", [code])
    open_notebook(page, jupyter_server.lab(nb))
    title0 = page.title()
    # browser notifications: the permission granted as a user would on the prompt; each one the
    # page makes is recorded (a headless browser shows none)
    page.context.grant_permissions(["notifications"], origin=jupyter_server.url.rstrip("/"))
    page.evaluate(NOTES)
    run_cell(page)
    board = ".jp-OutputArea-output .nbb-board"
    page.wait_for_selector(f"{board} .nbb-card[data-tag='loss']", timeout=60_000)

    # the NaN in accuracy (step 60) is told first: the default non-finite rule
    banner = page.locator(f"{board} .nbb-alert-banner")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("accuracy")
    # the user switches notifications on (Alerts tab), then leaves for another window
    page.locator(f"{board} .nbb-tab[data-kind='alerts']").click()
    page.locator(f"{board} .nbb-alert-notify").click()
    expect(page.locator(f"{board} .nbb-alert-notify")).to_have_text("Notifications on ✓")
    page.locator(f"{board} .nbb-tab[data-kind='scalars']").click()
    page.evaluate("() => { document.hasFocus = () => false; }")
    # then the threshold: banner, marker on the loss chart, all before the cell ends
    expect(banner).to_contain_text("loss above 2", timeout=60_000)
    assert "*" in prompt(page), "the alert must show while the training cell runs"
    card = page.locator(f"{board} .nbb-card[data-tag='loss']")
    card.scroll_into_view_if_needed()  # charts off screen are not drawn
    page.wait_for_function("el => Number(el.dataset.alerts || 0) >= 1", arg=card.element_handle(), timeout=10_000)
    expect(card.locator(".nbb-card-alert")).to_be_visible()
    assert page.title().startswith("⚠ ("), page.title()
    assert "*" in prompt(page)
    notes = page.evaluate("() => window.__nbbNotes")
    assert any("loss above 2" in body for _title, body in notes), notes
    assert not any("accuracy" in body for _title, body in notes), "told before notifications were on"
    page.locator(board).screenshot(path=str(artifacts / "alerts-banner-lab.png"))

    # "Show" zooms the loss chart around the alert's step
    step = int(banner.get_attribute("data-step") or -1)
    banner.get_by_role("button", name="Show").click()
    page.wait_for_function("el => (el.dataset.zoom || '') !== ''", arg=card.element_handle(), timeout=10_000)
    lo, hi = (float(x) for x in (card.get_attribute("data-zoom") or "").split(","))
    assert lo < step < hi

    # the Alerts tab lists every alert: rule, run, tag, step, value
    page.locator(f"{board} .nbb-tab[data-kind='alerts']").click()
    rows = page.locator(f"{board} .nbb-alerts-table tbody tr")
    expect(rows.first).to_be_visible()
    texts = rows.all_inner_texts()
    assert any("loss above 2" in t and "lr=0.1" in t for t in texts), texts
    assert any("accuracy" in t and "nan" in t.lower() for t in texts), texts
    page.locator(board).screenshot(path=str(artifacts / "alerts-tab-lab.png"))

    # dismissing the banner clears the title's count
    banner.get_by_role("button", name="✕").click()
    expect(banner).to_be_hidden()
    assert not page.title().startswith("⚠"), page.title()
    wait_for_output(page, "done", timeout=120_000)
    assert title0 == page.title() or not page.title().startswith("⚠")
    assert page.errors == []  # type: ignore[attr-defined]
