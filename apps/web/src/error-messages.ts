// Type only (erased from the bundle): the codes of PROTOCOL §2, so a code added there fails this file's build.
import type { ErrorCode } from '#contracts';

export type { ErrorCode };

/**
 * What the page tells a person for each error code. `{retry}` becomes "in 1.5 s" (from `retryAfterMs`)
 * or "in a moment". No DOM here: the browser test imports it to check what the page shows.
 */
export const ERROR_TEXT: Readonly<Record<ErrorCode, string>> = {
  INVALID_ARGUMENT: 'That was not accepted: check what you typed (a message is 1-200 characters, a gift count 1-9999, an id 1-64 letters, digits or _.:-).',
  UNAUTHORIZED: 'You need to sign in to do that: anonymous viewers can only watch (or your sign-in has expired).',
  FORBIDDEN: 'Not allowed: only the host, the room’s moderators and admins can do that (and nobody can act on the host).',
  ROOM_NOT_FOUND: 'This room does not exist. Check the link, or create a new room.',
  ROOM_ENDED: 'This room has ended.',
  NOT_IN_ROOM: 'You are not in this room any more. Rejoin it to take part.',
  RATE_LIMITED: 'You are sending too fast. Try again {retry}.',
  SLOW_MODE: 'Slow mode is on in this room: you can send again {retry}.',
  MUTED: 'A moderator has muted you in this room: you cannot send messages or gifts for now.',
  BANNED: 'You are banned from this room.',
  BLOCKED: 'Your message contains a blocked word and was not sent.',
  INSUFFICIENT_FUNDS: 'Not enough coins in your wallet for this gift. Top up first (dev: +1000 coins).',
  GIFT_NOT_FOUND: 'That gift is not in the catalog any more.',
  IDEMPOTENCY_CONFLICT: 'This gift request was already used with different details; nothing was charged for it.',
  SEAT_LIMIT: 'All co-host seats are taken. Try again when a seat is free.',
  SESSION_NOT_FOUND: 'That co-host request no longer exists (it may have timed out).',
  INVALID_STATE: 'That co-host request has already changed (accepted, rejected, cancelled, timed out or ended).',
  UNAVAILABLE: 'A liveroom service is temporarily unavailable. Try again {retry}.',
  INTERNAL: 'Something went wrong on the server. Please try again.',
};

export interface ErrorLike {
  code: string;
  message?: string;
  retryAfterMs?: number;
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_TEXT, code);
}

/** "in 1.5 s", "in 12 s", or "in a moment" without a hint. */
export function retryIn(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return 'in a moment';
  const seconds = retryAfterMs / 1000;
  return `in ${seconds < 10 ? Math.max(0.1, Math.ceil(seconds * 10) / 10) : Math.ceil(seconds)} s`;
}

/** The human message for an error; unknown codes keep the server's own message. */
export function errorText(error: ErrorLike): string {
  if (!isErrorCode(error.code)) return `Unexpected error ${error.code}${error.message ? `: ${error.message}` : ''}.`;
  return ERROR_TEXT[error.code].replace('{retry}', retryIn(error.retryAfterMs));
}
