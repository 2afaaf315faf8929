import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { loadConfig } from '#config';
import { type Actor, type GiftSendResult, LiveroomError, RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { cleanRedis, dropDatabase } from '#testing';
import { AppModule } from '../src/app.module.js';
import { type GiftingConfig, giftingConfigSchema } from '../src/config.js';
import { GiftsController } from '../src/gifts/gifts.controller.js';
import { LeaderboardController } from '../src/leaderboard/leaderboard.controller.js';
import { LedgerController } from '../src/ledger/ledger.controller.js';
import { OutboxRelay } from '../src/outbox/outbox-relay.service.js';
import { WalletsController } from '../src/wallets/wallets.controller.js';

/** A unique database and key prefix for one test file. */
export function isolation(): { id: string; DATABASE_URL: string; KEY_PREFIX: string } {
  const id = randomBytes(4).toString('hex');
  return { id, DATABASE_URL: `postgres://postgres@127.0.0.1:5432/liveroom_test_${id}`, KEY_PREFIX: `lrtest:${id}:` };
}

/** The gifting app in-process (no HTTP listener, no transport): handlers are called on the controllers. */
export class Gifting {
  private constructor(
    readonly app: INestApplication,
    readonly config: GiftingConfig,
  ) {}

  static async start(env: Record<string, string>): Promise<Gifting> {
    const config = loadConfig('gifting', giftingConfigSchema, { LOG_LEVEL: 'error', NODE_ENV: 'test', ...env });
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error'] });
    await app.init();
    return new Gifting(app, config);
  }

  get redis(): Redis {
    return this.app.get<Redis>(REDIS);
  }
  get keys(): RedisKeys {
    return this.app.get(RedisKeys);
  }
  get db(): DataSource {
    return this.app.get(DataSource);
  }
  get gifts(): GiftsController {
    return this.app.get(GiftsController);
  }
  get wallets(): WalletsController {
    return this.app.get(WalletsController);
  }
  get ledger(): LedgerController {
    return this.app.get(LedgerController);
  }
  get leaderboard(): LeaderboardController {
    return this.app.get(LeaderboardController);
  }
  get relay(): OutboxRelay {
    return this.app.get(OutboxRelay);
  }
  roomLog(): RoomLog {
    return new RoomLog(this.redis, this.keys);
  }

  async openRoom(roomId: string, hostId: string): Promise<void> {
    await this.redis.hset(this.keys.roomMeta(roomId), { hostId, live: '1', title: 't' });
  }

  async credit(userId: string, amount: number, idempotencyKey = `topup-${randomBytes(6).toString('hex')}`): Promise<GiftSendResult> {
    return this.wallets.credit({ userId, credit: { amount, idempotencyKey } });
  }

  async send(userId: string, gift: { roomId: string; giftId: string; count: number; idempotencyKey?: string }): Promise<GiftSendResult> {
    const actor: Actor = { userId, name: `name-${userId}`, roles: [] };
    return this.gifts.send({
      actor,
      gift: { ...gift, idempotencyKey: gift.idempotencyKey ?? `gift-${randomBytes(6).toString('hex')}` },
    });
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

export async function cleanup(env: { DATABASE_URL: string; KEY_PREFIX: string }): Promise<void> {
  await cleanRedis(env.KEY_PREFIX);
  await dropDatabase(env.DATABASE_URL);
}

/** The error code a promise rejects with (fails the test if it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return LiveroomError.from(error).code;
  }
  throw new Error('expected a rejection');
}

/** Awaits a condition that an asynchronous worker will make true (polls; fails after timeoutMs). */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every gift event in a room's log, by txId. */
export async function giftEvents(gifting: Gifting, roomId: string): Promise<{ txId: string; seq: number; value: number; userId: string }[]> {
  const history = await gifting.roomLog().range(roomId, 1, Number.MAX_SAFE_INTEGER);
  return history
    .map((e) => e.event)
    .filter((e) => e.type === 'gift')
    .map((g) => ({ txId: g.txId, seq: g.seq, value: g.value, userId: g.userId }));
}
