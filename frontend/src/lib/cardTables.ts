import { useEffect, type RefObject } from "react";

/** On phones a table becomes a stack of cards, each cell labelled with its column's header (CSS
 * reads `data-label`). Cells that already carry a label keep it. */
export function labelTableCells(root: ParentNode): void {
  for (const table of root.querySelectorAll<HTMLTableElement>("table.table")) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
    if (!heads.length) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (!cell.hasAttribute("data-label") && heads[i]) cell.setAttribute("data-label", heads[i]);
      });
    }
  }
}

/** Keeps every table under `root` labelled as pages render and rows arrive. */
export function useCardTables(root: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = root.current;
    if (!el || typeof MutationObserver === "undefined") return;
    labelTableCells(el);
    const observer = new MutationObserver(() => labelTableCells(el));
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [root]);
}
