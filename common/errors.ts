// Typed errors thrown by domain code. The server maps them to HTTP statuses and translated
// messages; the CLI maps them to exit codes. Domain code never deals in HTTP itself.

export type ErrorParams = Record<string, string | number | boolean | null | undefined>;

export class AppError extends Error {
  /** HTTP-like status the edge should use; domain code chooses a subclass, not a number. */
  readonly status: number = 500;

  constructor(
    /** Stable machine code, e.g. `auth.invalid_credentials`. */
    readonly code: string,
    /** Message catalog key; the message is translated at the edge. */
    readonly messageKey: string = `errors.${code.replace(/\./g, '_')}`,
    readonly params: ErrorParams = {},
    /** Structured, non-secret details (field pointers, clause numbers, file names). */
    readonly details?: unknown,
  ) {
    super(`${code}${Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError { override readonly status = 400; }
export class UnauthorizedError extends AppError { override readonly status = 401; }
export class ForbiddenError extends AppError { override readonly status = 403; }
export class NotFoundError extends AppError { override readonly status = 404; }
export class ConflictError extends AppError { override readonly status = 409; }
export class PayloadTooLargeError extends AppError { override readonly status = 413; }
export class TooManyRequestsError extends AppError { override readonly status = 429; }
/** A required external program or service is missing or failed (not the user's fault). */
export class SystemError extends AppError { override readonly status = 503; }

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
