/**
 * Back office: the policies in force (issue 9). Every number the engine and the client area use,
 * registrar by registrar and section by section, with its source (the built-in default, or the
 * policy file named by TENURE_CONFIG when it differs) and its meaning in the staff member's language.
 */
import type { FastifyInstance } from "fastify";
import { formatMoney } from "../../domain/money.js";
import {
  BUILT_IN_REGISTRARS,
  DEFAULT_AUTOMATION,
  DEFAULT_BILLING,
  DEFAULT_PRICING,
  type RegistrarPolicy,
} from "../../domain/policies.js";
import { ROLES } from "../../domain/staff-roles.js";
import { html, type SafeHtml } from "../../views/html.js";
import type { PageContext } from "../../views/layout.js";
import { type HttpOptions, sendPage } from "../context.js";
import { allow } from "./admin-guard.js";

type Value = unknown;

function same(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(ctx: PageContext, value: Value): string {
  const p = ctx.m.adminPolicies;
  if (value === null || value === undefined) return p.none;
  if (typeof value === "boolean") return value ? p.yes : p.no;
  if (Array.isArray(value)) {
    if (value.length === 0) return p.none;
    return value
      .map((v) =>
        typeof v === "object" && v !== null && "tlds" in v
          ? p.lock(
              (v as { tlds: string[] }).tlds.join(", ."),
              String((v as { registeredBefore: string }).registeredBefore).slice(0, 10),
            )
          : String(v),
      )
      .join(" · ");
  }
  if (typeof value === "object") {
    const r = value as NonNullable<RegistrarPolicy["redemption"]>;
    const fees = Object.entries(r.restoreFee)
      .map(([currency, amount]) => formatMoney({ amount, currency }, ctx.locale))
      .join(" · ");
    return p.redemption(p.days(r.days), fees || p.none);
  }
  return String(value);
}

function table(
  ctx: PageContext,
  id: string,
  values: Record<string, Value>,
  defaults: Record<string, Value> | null,
  meanings: Record<string, string>,
): SafeHtml {
  const p = ctx.m.adminPolicies;
  return html`<table class="responsive" data-testid="policy-${id}"><thead><tr><th>${p.field}</th><th>${p.value}</th><th>${p.source}</th><th>${p.meaning}</th></tr></thead><tbody>
    ${Object.keys(meanings).map((key) => {
      const value = values[key];
      const isDefault = defaults !== null && same(value, defaults[key]);
      return html`<tr data-field="${id}.${key}" data-source="${isDefault ? "default" : "file"}">
        <td data-label="${p.field}"><code>${key}</code></td>
        <td data-label="${p.value}"><strong>${show(ctx, value)}</strong></td>
        <td data-label="${p.source}">${isDefault ? p.sources.default : html`<span class="badge badge-pending">${p.sources.file}</span>${defaults !== null ? html` <span class="muted">(${p.defaultWas(show(ctx, defaults[key]))})</span>` : ""}`}</td>
        <td data-label="${p.meaning}">${meanings[key] ?? ""}</td></tr>`;
    })}
    </tbody></table>`;
}

export function registerPolicyRoutes(app: FastifyInstance, options: HttpOptions): void {
  app.get("/admin/policies", allow(ROLES.anyStaff), (request, reply) => {
    const policies = options.deps.policies;
    return sendPage(
      request,
      reply,
      (m) => m.adminPolicies.title,
      (ctx) => {
        const p = ctx.m.adminPolicies;
        const names = Object.keys(policies.registrars).sort();
        return html`<p>${p.intro}</p>
          <h2>${p.registrars}</h2>
          ${names.map((name) => {
            const builtIn = BUILT_IN_REGISTRARS[name] ?? null;
            return html`<section class="card" id="registrar-${name}"><h3>${p.registrar(name)}</h3>
              ${builtIn === null ? html`<p class="muted">${p.declared}</p>` : ""}
              ${table(ctx, `registrars.${name}`, { ...policies.registrars[name] }, builtIn ? { ...builtIn } : null, p.meanings.registrar)}</section>`;
          })}
          <section class="card" id="billing"><h2>${p.billing}</h2>${table(ctx, "billing", { ...policies.billing }, { ...DEFAULT_BILLING }, p.meanings.billing)}</section>
          <section class="card" id="pricing"><h2>${p.pricing}</h2>${table(ctx, "pricing", { ...policies.pricing }, { ...DEFAULT_PRICING }, p.meanings.pricing)}</section>
          <section class="card" id="automation"><h2>${p.automation}</h2>${table(ctx, "automation", { ...policies.automation }, { ...DEFAULT_AUTOMATION }, p.meanings.automation)}</section>`;
      },
    );
  });
}
