import { describe, expect, it } from "vitest";
import { labelTableCells } from "./cardTables";

describe("labelTableCells", () => {
  it("labels each cell with its column header, keeping labels already set", () => {
    document.body.innerHTML = `<table class="table"><thead><tr><th>Video</th><th>Status</th><th><span>Refund</span></th></tr></thead>
      <tbody><tr><td>Kata</td><td data-label="Stato">Paid</td><td><button>Refund</button></td></tr></tbody></table>`;
    labelTableCells(document);
    const cells = [...document.querySelectorAll("td")].map((td) => td.getAttribute("data-label"));
    expect(cells).toEqual(["Video", "Stato", "Refund"]);
  });
});
