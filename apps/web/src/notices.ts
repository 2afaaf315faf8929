import { LiveroomRequestError } from '#sdk';
import { ApiError } from './api.js';
import { hooks, log, record } from './demo-hooks.js';
import { button, byId, h } from './dom.js';
import { type ErrorLike, errorText } from './error-messages.js';

/** Notices stack at the top of the page; older ones drop off, and each fades after a while. */
const MAX_SHOWN = 6;
const ERROR_SHOWN_MS = 15_000;
const INFO_SHOWN_MS = 6_000;

const noticesBox = byId('notices');

/** The wire error inside anything the SDK, the HTTP API or the network threw. */
export function toErrorLike(error: unknown): ErrorLike {
  if (error instanceof LiveroomRequestError) return error.error;
  if (error instanceof ApiError) return { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function notice(kind: 'error' | 'info', text: string, code?: string): void {
  record(hooks.notices, { kind, text, ...(code ? { code } : {}) });
  const item = h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-code': code }, text);
  item.append(button('×', () => item.remove(), { class: 'notice-close', 'aria-label': 'dismiss' }));
  noticesBox.prepend(item);
  while (noticesBox.childElementCount > MAX_SHOWN) noticesBox.lastElementChild?.remove();
  setTimeout(() => item.remove(), kind === 'error' ? ERROR_SHOWN_MS : INFO_SHOWN_MS);
}

/** Shows a failure as the clear message for its code, prefixed with what was being done. */
export function fail(what: string, error: unknown): void {
  const wire = toErrorLike(error);
  log(`${what} failed: ${wire.code} ${wire.message ?? ''}`);
  notice('error', `${what}: ${errorText(wire)}`, wire.code);
}

/** Runs a user action and reports its failure; controls stay usable (no hidden state to get stuck in). */
export async function attempt(what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    fail(what, error);
  }
}
