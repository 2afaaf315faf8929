import { decodeMessage, decodeReply, encodeMessage, encodeReply, type StreamMessage } from './stream-message.js';

describe('stream-message', () => {
  const request: StreamMessage = {
    kind: 'request',
    id: 'c0ffee',
    pattern: '{"cmd":"barrage.send"}',
    data: { roomId: 'r1', text: 'hi', nested: [1, null, 'x'] },
    replyTo: 'lr:rpc:reply:abc',
    deadline: 1_700_000_000_000,
    headers: { traceparent: '00-abc-def-01' },
  };
  const event: StreamMessage = { kind: 'event', pattern: 'room.ended', data: 'r1', headers: {} };

  it('round-trips a request', () => {
    expect(decodeMessage(encodeMessage(request))).toEqual({ ok: true, message: request });
  });

  it('round-trips an event, which carries no id, replyTo or deadline', () => {
    const fields = encodeMessage(event);
    expect(fields).not.toContain('replyTo');
    expect(fields).not.toContain('deadline');
    expect(decodeMessage(fields)).toEqual({ ok: true, message: event });
  });

  it('encodes undefined data as null so the entry stays decodable', () => {
    const decoded = decodeMessage(encodeMessage({ ...event, data: undefined }));
    expect(decoded).toEqual({ ok: true, message: { ...event, data: null } });
  });

  it.each([
    ['not a list', 'garbage'],
    ['odd field count', ['pattern', 'x', 'data']],
    ['non-string values', ['pattern', 1, 'data', '1', 'headers', '{}']],
    ['missing pattern', ['data', '1', 'headers', '{}']],
    ['invalid JSON data', ['pattern', 'p', 'data', '{oops', 'headers', '{}']],
    ['headers not a string map', ['pattern', 'p', 'data', '1', 'headers', '{"a":1}']],
    ['request without id', withoutField(encodeMessage(request), 'id')],
    ['request with a non-numeric deadline', withField(encodeMessage(request), 'deadline', 'soon')],
  ])('rejects a malformed entry: %s', (_name, fields) => {
    const decoded = decodeMessage(fields);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason.length).toBeGreaterThan(0);
  });

  it('round-trips replies and keeps a WireError intact', () => {
    const err = { code: 'RATE_LIMITED' as const, message: 'slow down', retryAfterMs: 1500 };
    expect(decodeReply(encodeReply({ id: '1', err, isDisposed: true }))).toEqual({ id: '1', err, isDisposed: true });
    expect(decodeReply(encodeReply({ id: '2', response: { ok: 1 }, isDisposed: true }))).toEqual({
      id: '2',
      response: { ok: 1 },
      isDisposed: true,
    });
  });

  it('turns a non-wire reply error into INTERNAL and rejects garbage replies', () => {
    const raw = JSON.stringify({ id: '1', err: { status: 'error', message: 'Internal server error' }, isDisposed: true });
    expect(decodeReply(raw)?.err).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(decodeReply('{nope')).toBeNull();
    expect(decodeReply(JSON.stringify({ response: 1, isDisposed: true }))).toBeNull();
  });
});

function withoutField(fields: string[], name: string): string[] {
  const i = fields.indexOf(name);
  return [...fields.slice(0, i), ...fields.slice(i + 2)];
}

function withField(fields: string[], name: string, value: string): string[] {
  const copy = [...fields];
  copy[copy.indexOf(name) + 1] = value;
  return copy;
}
