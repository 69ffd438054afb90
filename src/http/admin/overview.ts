/**
 * Back office: the overview, what needs a person now: the automation's health line, then open
 * requests, pending cancellations, failing services and charges awaiting the bank, each linking
 * to its page.
 */
import type { FastifyInstance } from "fastify";
import { ROLES } from "../../domain/staff-roles.js";
import { readAutomationHealth } from "../../modules/engine-runs/engine-runs.js";
import { html } from "../../views/html.js";
import { type HttpOptions, sendPage } from "../context.js";
import { allow } from "./admin-guard.js";
import { DEFAULT_WORKER_INTERVAL_MS, healthLine } from "./automation.js";

export function registerOverviewRoutes(app: FastifyInstance, options: HttpOptions): void {
  const db = options.deps.db;
  const intervalMs = options.workerIntervalMs ?? DEFAULT_WORKER_INTERVAL_MS;
  app.get("/admin", allow(ROLES.anyStaff), async (request, reply) => {
    const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) =>
      Number((await query.executeTakeFirstOrThrow()).n);
    const [health, openRequests, pendingCancellations, failingServices, pendingCharges] = await Promise.all([
      readAutomationHealth(options.deps, options.clock.now(), intervalMs),
      count(
        db
          .selectFrom("tickets")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("status", "=", "open"),
      ),
      count(
        db
          .selectFrom("cancellation_requests")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("status", "=", "pending"),
      ),
      count(
        db
          .selectFrom("services")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("failure_count", ">", 0),
      ),
      count(
        db
          .selectFrom("payments")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("status", "=", "pending"),
      ),
    ]);
    return sendPage(
      request,
      reply,
      (m) => m.adminOverview.title,
      (ctx) => {
        const o = ctx.m.adminOverview;
        const tile = (label: string, n: number, href: string) =>
          html`<div class="card"><p class="muted">${label}</p><p class="big"><strong>${n}</strong></p><p><a href="${href}">${o.see}</a></p></div>`;
        return html`${healthLine(ctx, health, intervalMs)}<div class="grid">
          ${tile(o.openRequests, openRequests, "/admin/requests")}
          ${tile(o.pendingCancellations, pendingCancellations, "/admin/cancellations")}
          ${tile(o.failingServices, failingServices, "/admin/automation")}
          ${tile(o.pendingCharges, pendingCharges, "/admin/automation")}
        </div>`;
      },
    );
  });
}
