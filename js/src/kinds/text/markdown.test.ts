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
  it("shows a remote image as a link with its address and loads nothing remote", () => {
    const html = renderMarkdown('![pixel](http://tracker.example/p.png) <img src=x> <video src="https://v.example/a.mp4" poster="https://v.example/p.png"></video> ![ok](data:image/png;base64,iVBORw0KGgo=)');
    expect(html).not.toMatch(/<img[^>]+src="?https?:/i);
    expect(html).toContain("[image: pixel] http://tracker.example/p.png");
    expect(html).toContain('href="http://tracker.example/p.png"');
    expect(html).not.toMatch(/src="?x"?[ >]/);
    expect(html).not.toMatch(/v\.example/);
    expect(html).toMatch(/<img[^>]+src="data:image\/png/);
  });
  it("opens links in a new tab without an opener", () => {
    const html = renderMarkdown("[site](https://example.com)");
    expect(html).toContain('target="_blank"');
    expect(html).toContain("noopener");
  });
});
