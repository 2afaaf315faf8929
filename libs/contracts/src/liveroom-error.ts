import { type ErrorCode, HTTP_STATUS_BY_CODE, isErrorCode } from './error-codes.js';

/** The error body every client sees, in acks and HTTP responses. */
export interface WireError {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

/** Codes worth a stack trace: failures to investigate, not answers to the client's request. */
const TRACED = new Set<ErrorCode>(['INTERNAL', 'UNAVAILABLE']);
let savedStackTraceLimit: number | undefined;

/** Evaluated as super()'s argument: V8 captures the stack inside Error(), so it sees the limit set here. */
function untracedFor(code: ErrorCode, message: string): string {
  if (!TRACED.has(code)) {
    savedStackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  return message;
}

/**
 * The one error type of liveroom. Services throw it; the gateway maps it to an ack or an HTTP
 * response, and the transport carries it between apps as a WireError. Business answers
 * (RATE_LIMITED, NOT_IN_ROOM, INSUFFICIENT_FUNDS, ...) carry no stack: capturing one cost 8-15 µs
 * (42 µs in a busy gateway), a fifth of the gateway's CPU per refused request under a flood.
 */
export class LiveroomError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = code,
    readonly retryAfterMs?: number,
  ) {
    super(untracedFor(code, message));
    if (savedStackTraceLimit !== undefined) {
      Error.stackTraceLimit = savedStackTraceLimit;
      savedStackTraceLimit = undefined;
    }
    this.name = 'LiveroomError';
  }

  get httpStatus(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.retryAfterMs !== undefined) wire.retryAfterMs = Math.max(0, Math.ceil(this.retryAfterMs));
    return wire;
  }

  /**
   * An HTTP failure raised by the framework (no route, a body that is not JSON, too large), in
   * PROTOCOL terms: 404 is the contract's one not-found code, other 4xx are bad input.
   */
  static fromHttpStatus(status: number, message: string): LiveroomError {
    if (status === 404) return new LiveroomError('ROOM_NOT_FOUND', message);
    return new LiveroomError(status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL', message);
  }

  /** Any thrown value, as a LiveroomError: unknown failures become INTERNAL (details stay in logs). */
  static from(error: unknown): LiveroomError {
    if (error instanceof LiveroomError) return error;
    if (isWireError(error)) return new LiveroomError(error.code, error.message, error.retryAfterMs);
    return new LiveroomError('INTERNAL', 'internal error');
  }
}

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isErrorCode(v.code) &&
    typeof v.message === 'string' &&
    (v.retryAfterMs === undefined || typeof v.retryAfterMs === 'number')
  );
}
