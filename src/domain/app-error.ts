/**
 * The one error type for unexpected outcomes, with a stable code, a public message (safe to show)
 * and a private one (for logs). Expected outcomes (card declined, not cancellable) are results.
 */
export const APP_ERROR_CODES = {
  NOT_FOUND: 404,
  INVALID_INPUT: 400,
  FORBIDDEN: 403,
  CONFLICT: 409,
  REGISTRAR_DRIFT: 502,
  INTERNAL: 500,
} as const;
export type AppErrorCode = keyof typeof APP_ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    readonly publicMessage: string,
    readonly privateMessage: string = publicMessage,
  ) {
    super(`${code}: ${privateMessage}`);
    this.name = "AppError";
  }

  get httpStatus(): number {
    return APP_ERROR_CODES[this.code];
  }
}
