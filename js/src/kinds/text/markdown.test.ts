// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("markdown", () => {
  it("renders tables and sanitises scripts, handlers and javascript: links", () => {
    const html = renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))");
    expect(html).toContain("<table>");
    expect(html).toContain("<td>1</td>");
    expect(html).not.toMatch(/onerror|<script|javascript:/i);
  });
  it("opens links in a new tab without an opener", () => {
    const html = renderMarkdown("[site](https://example.com)");
    expect(html).toContain('target="_blank"');
    expect(html).toContain("noopener");
  });
});
