/**
 * Errors of the JSON API as RFC 9457 problem details (`application/problem+json`), each with a
 * stable `code` (docs/api.md). Never a stack trace; a defect is a 500 that says nothing more.
 */
import type { FastifyReply } from "fastify";

export const PROBLEM_CODES = {
  validation_failed: { status: 400, title: "The request is not valid" },
  unauthenticated: { status: 401, title: "A valid API key is required" },
  insufficient_scope: { status: 403, title: "This API key lacks the scope for this request" },
  not_found: { status: 404, title: "No such object" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "The object is not in a state that allows this" },
  idempotency_conflict: { status: 409, title: "This Idempotency-Key was used with another request" },
  idempotency_in_progress: { status: 409, title: "A request with this Idempotency-Key is still running" },
  payload_too_large: { status: 413, title: "The request body is too large" },
  unsupported_media_type: { status: 415, title: "Send JSON (application/json)" },
  rate_limited: { status: 429, title: "Too many requests for this API key" },
  upstream_error: { status: 502, title: "A provider did not answer as expected" },
  internal_error: { status: 500, title: "Something went wrong on our side; nothing more is known here" },
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode | string;
  detail?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** Thrown by handlers: the error handler answers with its problem. */
export class ApiProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; retryAfter?: number; [key: string]: unknown } = {},
  ) {
    super(`${code}${detail ? `: ${detail}` : ""}`);
    this.name = "ApiProblem";
  }

  get status(): number {
    return PROBLEM_CODES[this.code].status;
  }
}

export function problemBody(
  code: ProblemCode,
  detail?: string,
  extra: Record<string, unknown> = {},
): Problem {
  const { retryAfter: _retryAfter, ...rest } = extra;
  const { status, title } = PROBLEM_CODES[code];
  return {
    type: `https://tenure.dev/problems/${code.replaceAll("_", "-")}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...rest,
  };
}

export function sendProblem(reply: FastifyReply, problem: ApiProblem) {
  if (problem.extra.retryAfter !== undefined) reply.header("retry-after", String(problem.extra.retryAfter));
  if (problem.code === "unauthenticated") reply.header("www-authenticate", 'Bearer realm="tenure"');
  return reply
    .status(problem.status)
    .type("application/problem+json")
    .send(JSON.stringify(problemBody(problem.code, problem.detail, problem.extra)));
}
