import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type Actor,
  type BarrageEvent,
  type BarrageSendInput,
  type BarrageSendResult,
  RedisKeys,
} from '#contracts';
import { RoomLog } from '#room-log';
import { BARRAGE_CONFIG, type BarrageConfig } from '../config.js';

@Injectable()
export class BarrageService {
  constructor(
    private readonly keys: RedisKeys,
    private readonly roomLog: RoomLog,
    @Inject(BARRAGE_CONFIG) private readonly config: BarrageConfig,
  ) {}

  /** Sequences the message into the room log; a resent clientMsgId gets its first ack back. */
  async send(actor: Actor, message: BarrageSendInput): Promise<BarrageSendResult> {
    const { roomId } = message;
    const dedupeKey = `barrage:${actor.userId}:${message.clientMsgId}`;
    const draft: Omit<BarrageEvent, 'seq' | 'ts'> = {
      type: 'barrage',
      id: randomUUID(),
      userId: actor.userId,
      name: actor.name || actor.userId,
      text: message.text,
    };
    if (message.color) draft.color = message.color.toLowerCase();
    if (message.mode) draft.mode = message.mode;
    // One round trip: dedupe (a resend gets its first ack), live check, rate limit, sequencing.
    const { event } = await this.roomLog.append(roomId, draft, {
      dedupeKey,
      dedupeTtlSec: this.config.BARRAGE_DEDUPE_SEC,
      requireLive: true,
      rateLimit: { key: this.keys.barrageRate(roomId, actor.userId), ratePerSec: this.config.BARRAGE_RATE_PER_SEC, burst: this.config.BARRAGE_BURST },
    });
    return ackOf(event);
  }
}

function ackOf(event: BarrageEvent): BarrageSendResult {
  return { seq: event.seq, id: event.id };
}
