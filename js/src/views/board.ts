/** The Board: a dashboard frame (title, tabs for the kinds present, live indicator) around the views. */
import type { AnyModel, ModelData } from "../model";
import { ScalarsView } from "./scalars";
import { boardTabs } from "../lib/registry"; // views:

export function renderBoard(model: AnyModel, host: HTMLElement, data: ModelData): () => void {
  const root = document.createElement("div");
  root.className = "nbb-root nbb-board";
  const head = document.createElement("div");
  head.className = "nbb-board-head";
  const brand = document.createElement("span");
  brand.className = "nbb-brand";
  brand.textContent = "nbboard";
  const title = document.createElement("span");
  title.className = "nbb-board-title";
  title.textContent = String(model.get("title") ?? "");
  title.title = title.textContent;
  const tabs = document.createElement("div");
  tabs.className = "nbb-tabs";
  tabs.setAttribute("role", "tablist");
  const tab = document.createElement("button");
  tab.type = "button";
  tab.className = "nbb-tab nbb-on";
  tab.textContent = "Scalars";
  tab.setAttribute("role", "tab");
  tabs.appendChild(tab);
  head.append(brand, title, tabs);
  const body = document.createElement("div");
  body.className = "nbb-board-body";
  root.append(head, body);
  host.appendChild(root);
  const scalars = new ScalarsView(model, body, data);
  const offTabs = boardTabs(model, data, tabs, body, tab, scalars.root); // views: a tab per record view with data
  return () => {
    offTabs(); // views:
    scalars.dispose();
    root.remove();
  };
}
