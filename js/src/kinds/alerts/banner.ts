/**
 * What tells a user in another tab or cell that an alert fired: the Board's banner (the newest
 * alert, its rule and value, "Show" jumps to the point), the page title's warning count, and a
 * browser notification once the user enabled them (the permission is asked on that click only).
 */
import type { ViewContext } from "../../view/context";
import { button, el } from "../../view/dom";
import { alertLine, alertTitle, collectAlerts, stripAlertTitle, unseen, type AlertInfo } from "./logic";

const NOTIFY_KEY = "nbboard.alerts.notify";

function notifyOn(): boolean {
  try {
    return typeof Notification !== "undefined" && Notification.permission === "granted" && localStorage.getItem(NOTIFY_KEY) === "1";
  } catch {
    return false;
  }
}

/** The "Notify me" switch: asks the browser's permission when first switched on. */
export function notifications(_ctx: ViewContext): HTMLElement {
  const b = button("", "Browser notifications when an alert fires while this page is in the background", () => {
    if (typeof Notification === "undefined") return;
    if (notifyOn()) {
      localStorage.setItem(NOTIFY_KEY, "0");
      show();
      return;
    }
    void Notification.requestPermission().then((p) => {
      if (p === "granted") localStorage.setItem(NOTIFY_KEY, "1");
      show();
    });
  }, "nbb-btn nbb-alert-notify");
  const show = () => {
    const supported = typeof Notification !== "undefined";
    b.textContent = !supported ? "Notifications unavailable" : notifyOn() ? "Notifications on ✓" : "Notify me";
    b.disabled = !supported;
  };
  show();
  return b;
}

/** Pages showing a banner share one title counter (several Boards on a page count together). */
const pending = new Set<string>();
let baseTitle: string | null = null;

function setTitle(): void {
  if (typeof document === "undefined") return;
  if (baseTitle === null) baseTitle = stripAlertTitle(document.title);
  document.title = pending.size ? alertTitle(document.title, pending.size) : stripAlertTitle(document.title);
}

/**
 * The Board's banner over its tabs: shown when an alert fires that this page has not shown yet
 * (alerts already there when the Board is drawn count as seen, except in a page with no kernel).
 */
export function alertBanner(host: HTMLElement, ctx: ViewContext): () => void {
  const box = el("div", "nbb-alert-banner");
  box.setAttribute("role", "alert");
  box.style.display = "none";
  host.prepend(box);
  const seen = new Set<string>();
  let primed = false;
  let shown: AlertInfo[] = [];
  const dismiss = () => {
    for (const a of shown) pending.delete(a.id);
    shown = [];
    box.style.display = "none";
    box.dataset.count = "0";
    setTitle();
  };
  const paint = () => {
    const last = shown[shown.length - 1];
    if (!last) return dismiss();
    const text = el("span", "nbb-alert-text");
    text.append(el("strong", undefined, "⚠ Alert: "), document.createTextNode(alertLine(last)));
    const more = shown.length > 1 ? el("span", "nbb-alert-more", ` (+${shown.length - 1} more)`) : null;
    const actions = el("span", "nbb-alert-actions");
    if (ctx.showPoint) actions.append(button("Show", "Show this point on its chart", () => ctx.showPoint!(last.run, last.tag, last.step)));
    if (ctx.showTab) actions.append(button("All alerts", "The Alerts tab", () => ctx.showTab!("alerts")));
    actions.append(button("✕", "Dismiss", dismiss, "nbb-btn nbb-alert-close"));
    box.replaceChildren(text, ...(more ? [more] : []), actions);
    box.style.display = "";
    box.dataset.count = String(shown.length);
    box.dataset.tag = last.tag;
    box.dataset.step = String(last.step);
  };
  const update = () => {
    const all = collectAlerts(ctx.records.ofKind("alerts"));
    const fresh = unseen(all, seen);
    for (const a of fresh) seen.add(a.id);
    // Alerts present when the Board is first drawn from a live kernel are old news: the Alerts
    // tab lists them. A static page (export) and new firings get the banner.
    if (!primed && ctx.live) {
      primed = true;
      if (fresh.length && fresh.every((a) => Date.now() / 1000 - a.firedAt > 30)) return;
    }
    primed = true;
    if (!fresh.length) return;
    shown = [...shown, ...fresh];
    for (const a of fresh) pending.add(a.id);
    setTitle();
    paint();
    // the user is elsewhere: another tab (hidden) or another window (no focus)
    if (notifyOn() && (document.visibilityState !== "visible" || !document.hasFocus())) {
      const a = fresh[fresh.length - 1];
      try {
        new Notification("nbboard alert", { body: alertLine(a), tag: `nbboard-${a.rule}` });
      } catch {
        /* some browsers only notify from a service worker */
      }
    }
  };
  update();
  const off = ctx.records.subscribe((changed, structural) => {
    if (structural || [...changed].some((s) => s.kind === "alerts")) update();
  });
  return () => {
    off();
    dismiss();
    box.remove();
  };
}
