/** Error codes of PROTOCOL.md §2. The wire names are the contract: never rename. */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'ROOM_NOT_FOUND',
  'ROOM_ENDED',
  'NOT_IN_ROOM',
  'RATE_LIMITED',
  'SLOW_MODE',
  'MUTED',
  'BANNED',
  'BLOCKED',
  'INSUFFICIENT_FUNDS',
  'GIFT_NOT_FOUND',
  'IDEMPOTENCY_CONFLICT',
  'SEAT_LIMIT',
  'SESSION_NOT_FOUND',
  'INVALID_STATE',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

/** HTTP status for each code (PROTOCOL §7: 400/401/403/404/409/429/503). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROOM_NOT_FOUND: 404,
  ROOM_ENDED: 409,
  NOT_IN_ROOM: 409,
  RATE_LIMITED: 429,
  SLOW_MODE: 429,
  MUTED: 403,
  BANNED: 403,
  BLOCKED: 400,
  INSUFFICIENT_FUNDS: 409,
  GIFT_NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  SEAT_LIMIT: 409,
  SESSION_NOT_FOUND: 404,
  INVALID_STATE: 409,
  UNAVAILABLE: 503,
  INTERNAL: 503,
};
