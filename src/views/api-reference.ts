/**
 * The API reference page (/api/v1/docs): the OpenAPI document rendered as plain HTML, no script
 * and nothing from a CDN. Each operation opens and closes (details/summary) and has its own
 * anchor; the page's own words are in both languages, the operations' in the document's English.
 */
import { html, type SafeHtml } from "./html.js";
import { messagesFor } from "./i18n/index.js";
import type { Locale } from "./notices/notice-types.js";

type Json = Record<string, unknown>;

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  "x-scope"?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Json }[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
}

const METHODS = ["get", "post", "delete"] as const;

const STYLE = `
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1a1a1a;line-height:1.5}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
details{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.25rem .75rem}
summary{cursor:pointer;padding:.25rem 0;overflow-wrap:anywhere}
code{font-size:.9em;overflow-wrap:anywhere}
.method{display:inline-block;min-width:4.5em;font-weight:bold}
.get{color:#0a5c9e}.post{color:#1e7d32}.delete{color:#b3261e}
pre{background:#f5f5f5;padding:.5rem;overflow-x:auto;max-width:100%;font-size:.8rem}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
nav ul{padding-left:1.25rem}.muted{color:#555}
`;

function operationsOf(document: Json): { method: string; path: string; op: Operation }[] {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([path, methods]) =>
    METHODS.flatMap((method) => (methods[method] ? [{ method, path, op: methods[method] }] : [])),
  );
}

function anchor(op: Operation, method: string, path: string): string {
  return op.operationId ?? `${method}-${path.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

function example(method: string, path: string, op: Operation): string {
  const url = `https://clients.example/api/v1${path.replace(/\{([A-Za-z_]+)\}/g, "$1")}`;
  const auth = op.security?.length === 0 ? "" : ' -H "Authorization: Bearer $TENURE_KEY"';
  if (method === "get") return `curl -s "${url}"${auth}`;
  const body = op.requestBody ? " -H \"Content-Type: application/json\" -d '{…}'" : "";
  const idempotency = method === "post" ? ' -H "Idempotency-Key: $(uuidgen)"' : "";
  return `curl -s -X ${method.toUpperCase()} "${url}"${auth}${idempotency}${body}`;
}

export function apiReferencePage(document: Json, locale: Locale): string {
  const t = messagesFor(locale).adminApi.reference;
  const operations = operationsOf(document);
  const tags = [...new Set(operations.map(({ op }) => op.tags?.[0] ?? "API"))];
  const section = (tag: string): SafeHtml => html`<section id="tag-${tag}">
    <h2>${tag}</h2>
    ${operations
      .filter(({ op }) => (op.tags?.[0] ?? "API") === tag)
      .map(({ method, path, op }) => {
        const body = op.requestBody?.content?.["application/json"]?.schema;
        return html`<details id="${anchor(op, method, path)}">
      <summary><span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code> — ${op.summary ?? ""}</summary>
      ${op.description ? html`<p>${op.description}</p>` : ""}
      <p><strong>${t.scope}</strong> <code>${op["x-scope"] ?? t.public}</code></p>
      ${
        op.parameters && op.parameters.length > 0
          ? html`<h3>${t.parameters}</h3><div class="table"><table>
        <thead><tr><th>${t.name}</th><th>${t.where}</th><th>${t.required}</th><th></th></tr></thead>
        <tbody>${op.parameters.map(
          (p) =>
            html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${p.required ? t.yes : t.no}</td><td>${p.description ?? ""} <code class="muted">${JSON.stringify(p.schema ?? {})}</code></td></tr>`,
        )}</tbody></table></div>`
          : ""
      }
      ${body ? html`<h3>${t.body}</h3><pre>${JSON.stringify(body, null, 2)}</pre>` : ""}
      <h3>${t.responses}</h3>
      <ul>${Object.entries(op.responses ?? {}).map(
        ([status, response]) => html`<li><code>${status}</code> ${response.description ?? ""}</li>`,
      )}</ul>
      <h3>${t.example}</h3><pre>${example(method, path, op)}</pre>
    </details>`;
      })}
  </section>`;
  const info = (document.info ?? {}) as { title?: string; version?: string };
  const other: Locale = locale === "fr-CA" ? "en" : "fr-CA";
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <p><a href="/api/v1/docs?lang=${other}" hreflang="${other}">${other === "fr-CA" ? "Français" : "English"}</a></p>
  <h1>${t.title} <span class="muted">${info.version ?? ""}</span></h1>
  <p>${t.intro}</p>
  <p><a href="/api/v1/openapi.json">${t.document}</a> · ${t.guide}</p>
  <nav aria-labelledby="contents"><h2 id="contents">${t.contents}</h2><ul>${tags.map(
    (tag) =>
      html`<li><a href="#tag-${tag}">${tag}</a><ul>${operations
        .filter(({ op }) => (op.tags?.[0] ?? "API") === tag)
        .map(
          ({ method, path, op }) =>
            html`<li><a href="#${anchor(op, method, path)}"><span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code></a></li>`,
        )}</ul></li>`,
  )}</ul></nav>
  ${tags.map(section)}
</main>
</body>
</html>`.value;
}
