import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { loadConfig } from '#config';
import { type Actor, LiveroomError, MODERATION_SERVICE, RedisKeys } from '#contracts';
import { openDatabase } from '#persistence';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { cleanRedis, dropDatabase, REDIS_URL } from '#testing';
import { LiveroomRpcExceptionFilter, RedisStreamsClient, RedisStreamsServer } from '#transport';
import { AppModule } from '../src/app.module.js';
import { moderationConfigSchema } from '../src/config.js';

/**
 * The moderation app in-process, served over the real Redis Streams transport, on its own database
 * (`liveroom_test_<id>`, with the gateway's `rooms` tables migrated first) and key prefix.
 */
export class Moderation {
  readonly id = randomBytes(4).toString('hex');
  readonly keyPrefix = `lrtest:${this.id}:`;
  readonly databaseUrl = `postgres://postgres@127.0.0.1:5432/liveroom_test_${this.id}`;
  app!: INestApplication;
  client!: RedisStreamsClient;
  /** The gateway's schema (rooms, room_moderators), as the gateway would have migrated it. */
  rooms!: DataSource;

  async start(): Promise<this> {
    this.rooms = await openDatabase(this.databaseUrl);
    const config = loadConfig('moderation', moderationConfigSchema, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      KEY_PREFIX: this.keyPrefix,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL,
    });
    this.app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error'] });
    this.app.useGlobalFilters(new LiveroomRpcExceptionFilter());
    const prefix = new RedisKeys(this.keyPrefix).transportPrefix();
    this.app.connectMicroservice(
      { strategy: new RedisStreamsServer({ redisUrl: REDIS_URL, prefix, service: MODERATION_SERVICE, heartbeatMs: 200, deadAfterMs: 800 }) },
      { inheritAppConfig: true },
    );
    await this.app.startAllMicroservices();
    await this.app.init();
    this.client = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix, service: MODERATION_SERVICE, timeoutMs: 5000 });
    await this.client.connect();
    return this;
  }

  async stop(): Promise<void> {
    await this.client?.close();
    await this.app?.close();
    if (this.rooms?.isInitialized) await this.rooms.destroy();
    await cleanRedis(this.keyPrefix);
    await dropDatabase(this.databaseUrl);
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
  roomLog(): RoomLog {
    return new RoomLog(this.redis, this.keys);
  }

  /** Calls a pattern through the transport; errors come back as LiveroomError. */
  async call<T = Record<string, unknown>>(pattern: string, payload: unknown): Promise<T> {
    try {
      return (await firstValueFrom(this.client.send(pattern, payload))) as T;
    } catch (error) {
      throw LiveroomError.from(error);
    }
  }

  /** A room as the gateway creates it: a row in PostgreSQL and the meta hash in Redis. */
  async createRoom(hostId: string, options: { moderators?: string[]; redis?: boolean } = {}): Promise<string> {
    const roomId = `r_${randomBytes(6).toString('hex')}`;
    await this.rooms.query(`INSERT INTO rooms (id, title, host_id) VALUES ($1, 'test', $2)`, [roomId, hostId]);
    for (const mod of options.moderators ?? []) {
      await this.rooms.query(`INSERT INTO room_moderators (room_id, user_id) VALUES ($1, $2)`, [roomId, mod]);
    }
    if (options.redis !== false) {
      await this.redis.hset(this.keys.roomMeta(roomId), { title: 'test', hostId, live: '1', slowModeSec: '0' });
      if (options.moderators?.length) await this.redis.sadd(this.keys.roomModerators(roomId), ...options.moderators);
    }
    return roomId;
  }
}

export function actor(userId: string, roles: string[] = []): Actor {
  return { userId, name: `name-${userId}`, roles };
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
