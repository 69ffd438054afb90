/**
 * Typed, server-rendered HTML: the `html` tag escapes every interpolated value unless it is
 * already markup (`SafeHtml`), so a page cannot render a customer's input as markup by mistake.
 */
import { escapeHtml } from "./format.js";

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

/** Markup from a trusted source (never from input). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
