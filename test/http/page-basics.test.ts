/**
 * Issue 12, item 16: no favicon (a 404 on every page), a focus ring of 2.1:1 (needs 3:1), 13 px
 * radios on phones, and a gear menu that Escape did not close. The page links a favicon and the
 * menu script, both served; the stylesheet's last focus rule has 3:1 or more against the page and
 * the cards; radios and checkboxes are at least 20 px.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpFixture, type HttpFixture } from "../support/http.js";

function luminance(color: string): number {
  const hex = color.length === 4 ? `#${[...color.slice(1)].map((c) => c + c).join("")}` : color;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
};

describe("page basics", () => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture("sqlite");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("every page links a favicon and the menu script, and both are served", async () => {
    const page = await f.client().get("/login");
    expect(page.body).toContain('<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">');
    expect(page.body).toContain('<script src="/assets/menus.js" defer></script>');
    const icon = await f.app.inject({ method: "GET", url: "/assets/favicon.svg" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["content-type"]).toContain("image/svg+xml");
    const script = await f.app.inject({ method: "GET", url: "/assets/menus.js" });
    expect(script.statusCode).toBe(200);
    expect(script.body).toContain('"Escape"');
    // No inline script: the CSP still allows only this site's files.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it("the focus ring has 3:1 or more against the page and a card; radios are 20 px", () => {
    const css = readFileSync("public/app.css", "utf8");
    const rules = [...css.matchAll(/:focus-visible\s*\{[^}]*outline:\s*\d+px solid (#[0-9a-f]{6})/gi)];
    const ring = rules.at(-1)?.[1];
    expect(ring).toBeDefined();
    const page = /--bg:\s*(#[0-9a-f]{6}|#[0-9a-f]{3})\b/i.exec(css)?.[1] ?? "";
    const card = /--card:\s*(#[0-9a-f]{6}|#[0-9a-f]{3})\b/i.exec(css)?.[1] ?? "";
    expect(contrast(ring ?? "", page)).toBeGreaterThanOrEqual(3);
    expect(contrast(ring ?? "", card)).toBeGreaterThanOrEqual(3);
    expect(css).toMatch(/input\[type=radio\], input\[type=checkbox\] \{ width: 1\.25rem; height: 1\.25rem;/);
  });
});
