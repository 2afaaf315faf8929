import { ERROR_CODES } from '#contracts';
import { ERROR_TEXT, errorText, retryIn } from '../src/error-messages.js';

/** The demo page's human messages (apps/web/src/error-messages.ts) for the error codes of PROTOCOL §2. */
describe('demo page error messages', () => {
  it('has a distinct sentence for every protocol error code, and no other', () => {
    expect(Object.keys(ERROR_TEXT).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(errorText({ code, message: 'server detail' })).toMatch(/^[A-Z].{15,}[.)]$/);
    expect(new Set(Object.values(ERROR_TEXT)).size).toBe(ERROR_CODES.length);
  });

  it('says when to retry from retryAfterMs', () => {
    expect(errorText({ code: 'RATE_LIMITED', retryAfterMs: 1450 })).toBe('You are sending too fast. Try again in 1.5 s.');
    expect(errorText({ code: 'SLOW_MODE', retryAfterMs: 12_300 })).toBe('Slow mode is on in this room: you can send again in 13 s.');
    expect(errorText({ code: 'UNAVAILABLE' })).toBe('A liveroom service is temporarily unavailable. Try again in a moment.');
    expect(retryIn(0)).toBe('in a moment');
    expect(retryIn(40)).toBe('in 0.1 s');
  });

  it('keeps the server message of a code it does not know', () => {
    expect(errorText({ code: 'TEAPOT', message: 'short and stout' })).toBe('Unexpected error TEAPOT: short and stout.');
  });
});
