import { Decoder, Encoder } from 'socket.io-parser';
import { COHOST_SIGNAL_MAX_BYTES } from '#contracts';

/** PROTOCOL §1: an event payload larger than this closes the connection. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/**
 * `cohost:signal` carries up to 16 KiB of `data` (PROTOCOL §5) inside `{ sessionId, data }`: its
 * payload may exceed §1's limit by the envelope, so that `data` of exactly 16 KiB is relayed and a
 * larger one is answered INVALID_ARGUMENT (by the schema) rather than cut.
 */
const SIGNAL_PAYLOAD_MAX_BYTES = COHOST_SIGNAL_MAX_BYTES + 256;

/** What Engine.IO accepts per message: the largest payload plus the packet's own framing. */
export const MAX_MESSAGE_BYTES = SIGNAL_PAYLOAD_MAX_BYTES + 512;

const SIGNAL_PREFIX = '["cohost:signal",';

/**
 * Bytes of the event's payload in an encoded Socket.IO packet (`2<ackId>["event",<payload>]`):
 * everything after the event name, without the closing bracket.
 */
function payloadBytes(packet: string): number {
  const start = packet.indexOf('",');
  return Buffer.byteLength(packet) - (start < 0 ? 0 : start + 2) - 1;
}

/**
 * The default Socket.IO decoder with PROTOCOL's payload limit. Throwing here makes Socket.IO close
 * the connection (its "parse error" path). Only long packets are measured: a string of n UTF-16
 * units has at most 3n UTF-8 bytes, so shorter ones cannot be over the limit.
 */
class PayloadLimitDecoder extends Decoder {
  override add(chunk: unknown): void {
    if (typeof chunk === 'string') {
      if (chunk.length * 3 > MAX_PAYLOAD_BYTES) {
        const limit = chunk.startsWith(SIGNAL_PREFIX, chunk.indexOf('[')) ? SIGNAL_PAYLOAD_MAX_BYTES : MAX_PAYLOAD_BYTES;
        if (payloadBytes(chunk) > limit) throw new Error('payload too large');
      }
    } else if (isOversizedBinary(chunk)) {
      throw new Error('payload too large');
    }
    super.add(chunk);
  }
}

function isOversizedBinary(chunk: unknown): boolean {
  return (chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk)) && chunk.byteLength > MAX_PAYLOAD_BYTES;
}

/** The `parser` option of the Socket.IO server. */
export const payloadLimitParser = { Encoder, Decoder: PayloadLimitDecoder };
