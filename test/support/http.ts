/**
 * The client area in-process (Fastify inject) on a test store, with a manual clock and a small
 * browser-like client: cookies are kept, and each form post carries the CSRF token of the page.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { ManualClock } from "../../src/domain/clock.js";
import type { StaffRole } from "../../src/domain/staff-roles.js";
import { buildApp } from "../../src/http/app.js";
import type { HttpOptions } from "../../src/http/context.js";
import { createAccount } from "../../src/modules/accounts/account-repository.js";
import { addStaff, changeStaffPassword, setStaffLocale } from "../../src/modules/staff/staff-repository.js";
import type { Mailer, OutgoingMail } from "../../src/providers/mailer/mailer.js";
import { at, createFixture, type Fixture } from "./engine-fixture.js";
import type { TestDialect } from "./stores.js";

export const PASSWORD = "correct horse battery staple";

export class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
}

export interface HttpFixture extends Fixture {
  app: FastifyInstance;
  clock: ManualClock;
  mailer: RecordingMailer;
  /** Creates a customer with a login (password PASSWORD) and the given card. */
  addLogin(id: string, card?: string, locale?: "fr-CA" | "en"): Promise<void>;
  /**
   * Creates a staff member `<role>@staff.test` (or `email`) whose password is PASSWORD, already
   * chosen (no first-sign-in change unless `oneTimePassword` is asked for, then it is returned).
   */
  addStaffMember(
    role: StaffRole,
    options?: { email?: string; locale?: "fr-CA" | "en"; oneTimePassword?: boolean },
  ): Promise<{ id: string; email: string; password: string }>;
  client(): HttpClient;
}

export async function createHttpFixture(
  dialect: TestDialect,
  options: { now?: string; loginAttempts?: number; trustProxy?: HttpOptions["trustProxy"] } = {},
): Promise<HttpFixture> {
  const fixture = await createFixture(dialect);
  const clock = new ManualClock(at(options.now ?? "2022-03-20T12:00:00Z"));
  const mailer = new RecordingMailer();
  const app = await buildApp({
    deps: fixture.deps,
    clock,
    mailer,
    sessionSecret: "a test secret that is at least thirty-two characters",
    baseUrl: "https://clients.example",
    loginAttempts: options.loginAttempts ?? 1000,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
  });
  return {
    ...fixture,
    app,
    clock,
    mailer,
    async addLogin(id, card = "ok", locale = "en") {
      await fixture.addCustomer(id, card, locale);
      await createAccount(fixture.deps.db, id, `${id}@example.test`, PASSWORD, clock.now());
    },
    async addStaffMember(role, staffOptions = {}) {
      const email = staffOptions.email ?? `${role}@staff.test`;
      const { staff, oneTimePassword } = await addStaff(
        fixture.deps.db,
        { email, role, name: `${role} staff` },
        clock.now(),
      );
      if (staffOptions.locale) await setStaffLocale(fixture.deps.db, staff.id, staffOptions.locale);
      if (staffOptions.oneTimePassword) return { id: staff.id, email, password: oneTimePassword };
      await changeStaffPassword(fixture.deps.db, staff.id, PASSWORD);
      return { id: staff.id, email, password: PASSWORD };
    },
    client: () => new HttpClient(app),
    dispose: async () => {
      await app.close();
      await fixture.dispose();
    },
  };
}

export class HttpClient {
  private readonly cookies = new Map<string, string>();
  private csrf: string | null = null;

  constructor(private app: FastifyInstance) {}

  /** Sends the next requests to another node (another app over the same database). */
  switchTo(app: FastifyInstance): void {
    this.app = app;
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) this.cookies.set(cookie.name, cookie.value);
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
    return response;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({ method: "GET", url, headers: { cookie: this.cookieHeader() } }),
    );
  }

  /** Posts a form with the CSRF token of the last page (or none with `{ csrf: false }`). */
  async post(
    url: string,
    form: Record<string, string | string[]>,
    options: { csrf?: boolean; headers?: Record<string, string>; remoteAddress?: string } = {},
  ) {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    if (options.csrf !== false) {
      if (!this.csrf) await this.get("/login");
      body.set("_csrf", this.csrf ?? "");
    }
    return this.remember(
      await this.app.inject({
        method: "POST",
        url,
        payload: body.toString(),
        ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
        headers: {
          ...options.headers,
          "content-type": "application/x-www-form-urlencoded",
          cookie: this.cookieHeader(),
        },
      }),
    );
  }

  async login(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    await this.get("/login");
    return this.post("/login", { email, password });
  }

  /** Staff sign-in at /admin/login (password only: a member without TOTP). */
  async staffLogin(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    await this.get("/admin/login");
    return this.post("/admin/login", { email, password });
  }
}
