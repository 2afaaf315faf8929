import { Decoder, Encoder } from 'socket.io-parser';
import { COHOST_SIGNAL_MAX_BYTES, PAYLOAD_MAX_BYTES } from '#contracts';

/**
 * `cohost:signal` carries up to 16 KiB of `data` (PROTOCOL §5) inside `{ sessionId, data }`: its
 * payload may exceed §1's limit by the envelope, so that `data` of exactly 16 KiB is relayed and a
 * larger one is answered INVALID_ARGUMENT (by the schema) rather than cut.
 */
const SIGNAL_PAYLOAD_MAX_BYTES = COHOST_SIGNAL_MAX_BYTES + 256;

/** What Engine.IO accepts per message: the largest payload plus the packet's own framing. */
export const MAX_MESSAGE_BYTES = SIGNAL_PAYLOAD_MAX_BYTES + 512;

const SIGNAL_PREFIX = '["cohost:signal",';

/** Socket.IO packet types whose JSON array starts with an event name: EVENT and BINARY_EVENT. */
const EVENT_TYPES = new Set(['2', '5']);

/**
 * Bytes of a packet's payload. For an event (`2<ackId>["event",<payload>]`) everything after the
 * event name's comma, without the closing bracket; for any other packet (ACK, CONNECT) all of it.
 */
function payloadBytes(packet: string): number {
  const total = Buffer.byteLength(packet);
  if (!EVENT_TYPES.has(packet[0] ?? '')) return total;
  const comma = packet.indexOf(',', packet.indexOf('['));
  return comma < 0 ? total : total - comma - 2;
}

/**
 * The default Socket.IO decoder with PROTOCOL's payload limit. Throwing here makes Socket.IO close
 * the connection (its "parse error" path). Only long packets are measured: a string of n UTF-16
 * units has at most 3n UTF-8 bytes, so shorter ones cannot be over the limit. Binary attachments
 * count toward the packet that announced them.
 */
class PayloadLimitDecoder extends Decoder {
  private attachedBytes = 0;

  override add(chunk: unknown): void {
    if (typeof chunk === 'string') {
      this.attachedBytes = 0;
      if (chunk.length * 3 > PAYLOAD_MAX_BYTES) {
        const limit = chunk.startsWith(SIGNAL_PREFIX, chunk.indexOf('[')) ? SIGNAL_PAYLOAD_MAX_BYTES : PAYLOAD_MAX_BYTES;
        const bytes = payloadBytes(chunk);
        if (bytes > limit) throw new Error('payload too large');
        this.attachedBytes = bytes;
      }
    } else if (chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk)) {
      this.attachedBytes += chunk.byteLength;
      if (this.attachedBytes > PAYLOAD_MAX_BYTES) throw new Error('payload too large');
    }
    super.add(chunk);
  }
}

/** The `parser` option of the Socket.IO server. */
export const payloadLimitParser = { Encoder, Decoder: PayloadLimitDecoder };
