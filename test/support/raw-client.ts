/**
 * A browser-like client for tests that must send what no form would: any method, raw bytes, any
 * content type, a JSON body. It keeps cookies and the CSRF token of the last page like HttpClient.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { PASSWORD } from "./http.js";

export type Form = Record<string, string | string[]>;

/** How long a request may take before the app is deemed never to answer it. */
export const ANSWER_WITHIN_MS = 3_000;

export interface RawRequest {
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
  url: string;
  payload?: string | Buffer;
  headers?: Record<string, string>;
}

/** Percent-encodes every byte of the UTF-8 form (a lone surrogate becomes U+FFFD, as in a browser). */
export function percentEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A urlencoded body; a list is sent as the same key repeated, as a form with checkboxes does. */
export function urlencoded(form: Form): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value])
      parts.push(`${percentEncode(key)}=${percentEncode(v)}`);
  }
  return parts.join("&");
}

export class RawClient {
  private readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrf: string | null = null;

  constructor(private readonly app: FastifyInstance) {}

  /** Sends a request; one the app never answers fails after `ANSWER_WITHIN_MS` instead of hanging. */
  async send(request: RawRequest): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let timer: NodeJS.Timeout | undefined;
    const response = await Promise.race([
      this.app.inject({
        method: request.method,
        url: request.url,
        ...(request.payload !== undefined ? { payload: request.payload } : {}),
        headers: { ...(cookie ? { cookie } : {}), ...request.headers },
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms to ${request.method} ${request.url}`)),
          ANSWER_WITHIN_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    for (const c of response.cookies) this.cookies.set(c.name, c.value);
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
    return response;
  }

  get(url: string) {
    return this.send({ method: "GET", url });
  }

  /** A form post with the token of the last page (`csrf: false` for none). */
  post(url: string, form: Form, options: { csrf?: boolean } = {}) {
    const body = options.csrf === false ? form : { ...form, _csrf: this.csrf ?? "" };
    return this.send({
      method: "POST",
      url,
      payload: urlencoded(body),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }

  async login(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    await this.get("/login");
    return this.post("/login", { email, password });
  }

  /** Signs in and opens a page of the new session, so the CSRF token is the session's. */
  async signIn(email: string): Promise<this> {
    const response = await this.login(email);
    if (response.statusCode !== 303) throw new Error(`sign-in of ${email} failed: ${response.statusCode}`);
    await this.get("/account");
    return this;
  }
}
