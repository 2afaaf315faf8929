import { LiveroomError } from './liveroom-error.js';

describe('LiveroomError', () => {
  it('answers a client without capturing a stack, and keeps one for failures to investigate', () => {
    const limit = Error.stackTraceLimit;
    const refused = new LiveroomError('RATE_LIMITED', 'slow down', 250);
    expect(refused.stack?.split('\n').filter((line) => line.trim().startsWith('at '))).toEqual([]);
    expect(refused.toWire()).toEqual({ code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 250 });
    expect(Error.stackTraceLimit).toBe(limit);
    const failure = new LiveroomError('INTERNAL', 'internal error');
    expect(failure.stack).toContain('liveroom-error.spec');
    expect(new Error('plain').stack).toContain('liveroom-error.spec');
  });
});
