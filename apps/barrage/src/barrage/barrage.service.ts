import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  type Actor,
  type BarrageEvent,
  type BarrageSendInput,
  type BarrageSendResult,
  LiveroomError,
  RedisKeys,
} from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { BARRAGE_CONFIG, type BarrageConfig } from '../config.js';
import { TOKEN_BUCKET_SCRIPT } from './token-bucket.lua.js';

interface LimitingRedis extends Redis {
  barrageAdmit(bucket: string, dedupe: string, rate: number, burst: number): Promise<[number, number | string]>;
}

@Injectable()
export class BarrageService {
  private readonly redis: LimitingRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    private readonly roomLog: RoomLog,
    @Inject(BARRAGE_CONFIG) private readonly config: BarrageConfig,
  ) {
    redis.defineCommand('barrageAdmit', { numberOfKeys: 2, lua: TOKEN_BUCKET_SCRIPT });
    this.redis = redis as LimitingRedis;
  }

  /** Rate limit, then sequence into the room log; a resent clientMsgId gets its first ack back. */
  async send(actor: Actor, message: BarrageSendInput): Promise<BarrageSendResult> {
    const { roomId } = message;
    const dedupeKey = `barrage:${actor.userId}:${message.clientMsgId}`;
    const [verdict, detail] = await this.redis.barrageAdmit(
      this.keys.barrageRate(roomId, actor.userId),
      this.keys.roomDedupe(roomId, dedupeKey),
      this.config.BARRAGE_RATE_PER_SEC,
      this.config.BARRAGE_BURST,
    );
    if (verdict === 2) return ackOf(JSON.parse(String(detail)) as BarrageEvent);
    if (verdict === 0) throw new LiveroomError('RATE_LIMITED', 'too many messages; slow down', Number(detail));

    const draft: Omit<BarrageEvent, 'seq' | 'ts'> = {
      type: 'barrage',
      id: randomUUID(),
      userId: actor.userId,
      name: actor.name || actor.userId,
      text: message.text,
    };
    if (message.color) draft.color = message.color.toLowerCase();
    if (message.mode) draft.mode = message.mode;
    const { event } = await this.roomLog.append(roomId, draft, {
      dedupeKey,
      dedupeTtlSec: this.config.BARRAGE_DEDUPE_SEC,
      requireLive: true,
    });
    return ackOf(event);
  }
}

function ackOf(event: BarrageEvent): BarrageSendResult {
  return { seq: event.seq, id: event.id };
}
