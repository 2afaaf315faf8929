import { PAYLOAD_MAX_BYTES } from '#contracts';
import { payloadLimitParser } from './payload-limit-parser.js';

/** Feeds encoded Socket.IO packets to a fresh decoder: true when they decode, false when refused. */
function accepts(...chunks: (string | Buffer)[]): boolean {
  const decoder = new payloadLimitParser.Decoder();
  try {
    for (const chunk of chunks) decoder.add(chunk);
    return true;
  } catch (error) {
    if (error instanceof Error && error.message === 'payload too large') return false;
    throw error;
  }
}

/** An EVENT packet whose payload is `{"t":"xx…"}` of exactly `bytes` bytes. */
const event = (name: string, bytes: number, ackId = ''): string => `2${ackId}["${name}",{"t":"${'x'.repeat(bytes - 8)}"}]`;

it('closes on an event payload over 16 KiB, whatever the event name or ack id', () => {
  expect(accepts(event('barrage:send', PAYLOAD_MAX_BYTES, '17'))).toBe(true);
  expect(accepts(event('barrage:send', PAYLOAD_MAX_BYTES + 1, '17'))).toBe(false);
  expect(accepts(event('x', PAYLOAD_MAX_BYTES + 1))).toBe(false);
  // Padding after the event name does not hide bytes.
  expect(accepts(`2["barrage:send" ,{"t":"${'x'.repeat(PAYLOAD_MAX_BYTES)}","y":1}]`)).toBe(false);
  // Multi-byte characters count as their UTF-8 bytes.
  expect(accepts(`2["barrage:send",{"t":"${'é'.repeat(PAYLOAD_MAX_BYTES / 2)}"}]`)).toBe(false);
});

it('lets cohost:signal carry 16 KiB of data plus its envelope', () => {
  const signal = (dataBytes: number): string => `2["cohost:signal",{"sessionId":"r_x~000000000abcdefgh","data":"${'s'.repeat(dataBytes - 2)}"}]`;
  expect(accepts(signal(16 * 1024))).toBe(true);
  expect(accepts(signal(16 * 1024 + 300))).toBe(false);
});

it('counts other packets whole: a CONNECT with a huge auth payload is refused', () => {
  expect(accepts(`0{"token":"${'t'.repeat(PAYLOAD_MAX_BYTES)}"}`)).toBe(false);
  expect(accepts(`0{"token":"${'t'.repeat(100)}"}`)).toBe(true);
});

it('counts binary attachments together toward their packet', () => {
  const header = '52-["barrage:send",{"a":{"_placeholder":true,"num":0},"b":{"_placeholder":true,"num":1}}]';
  expect(accepts(header, Buffer.alloc(8 * 1024), Buffer.alloc(8 * 1024))).toBe(true);
  expect(accepts(header, Buffer.alloc(10 * 1024), Buffer.alloc(10 * 1024))).toBe(false);
});
