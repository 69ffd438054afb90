/**
 * The back office (docs/back-office.md): staff pages under /admin, in the same app as the client
 * area (its session, CSRF and rate limits), each route declaring the roles it allows.
 */
import type { FastifyInstance } from "fastify";
import type { HttpOptions } from "../context.js";
import { registerAdminAuthRoutes } from "./admin-auth.js";
import { registerApiKeyRoutes } from "./api-keys.js";
import { registerAuditRoutes } from "./audit.js";
import { registerAutomationRoutes } from "./automation.js";
import { registerCancellationRoutes } from "./cancellations.js";
import { registerCustomerRoutes } from "./customers.js";
import { registerAdminDomainRoutes } from "./domains.js";
import { registerDriftRoutes } from "./drift.js";
import { registerOverviewRoutes } from "./overview.js";
import { registerPolicyRoutes } from "./policies.js";
import { registerPreviewRoutes } from "./preview.js";
import { registerReportRoutes } from "./reports.js";
import { registerRequestRoutes } from "./requests.js";
import { registerStaffRoutes } from "./staff.js";
import { registerWebhookRoutes } from "./webhooks.js";

export function registerBackOffice(app: FastifyInstance, options: HttpOptions): void {
  registerAdminAuthRoutes(app, options);
  registerOverviewRoutes(app, options);
  registerCustomerRoutes(app, options);
  registerCancellationRoutes(app, options);
  registerRequestRoutes(app, options);
  registerAutomationRoutes(app, options);
  registerPreviewRoutes(app, options);
  registerReportRoutes(app, options);
  registerPolicyRoutes(app, options);
  registerAdminDomainRoutes(app, options);
  registerDriftRoutes(app, options);
  registerAuditRoutes(app, options);
  registerStaffRoutes(app, options);
  registerApiKeyRoutes(app, options);
  registerWebhookRoutes(app, options);
}
