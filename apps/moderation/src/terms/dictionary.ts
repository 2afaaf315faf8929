import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys, type TermsList } from '#contracts';
import { createRedis, quietQuit, REDIS } from '#redis';
import { MODERATION_CONFIG, type ModerationConfig } from '../config.js';
import { TermStore } from './term-store.js';

/** A mismatch between Redis and memory triggers at most one reload per this period. */
const RELOAD_MIN_INTERVAL_MS = 200;

/**
 * The in-memory dictionary served to the barrage service. Loaded at start, replaced on PUT, and
 * reloaded when another replica announces a new version (pub/sub) or when the version in Redis
 * differs from ours at the moment the dictionary is asked for.
 */
@Injectable()
export class Dictionary implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(Dictionary.name);
  private current: TermsList = { version: '0', terms: [] };
  private reloading: Promise<void> | null = null;
  private lastReload = 0;
  private sub: Redis | null = null;

  constructor(
    private readonly store: TermStore,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(MODERATION_CONFIG) private readonly config: ModerationConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    // Announce what is in force if nobody has yet (a fresh Redis); never overwrite a newer announcement.
    await this.redis.set(this.keys.moderationVersion(), this.current.version, 'NX');
    this.sub = createRedis(this.config.REDIS_URL, 'moderation-sub');
    this.sub.on('message', (_channel: string, version: string) => {
      if (version !== this.current.version) void this.reload().catch((e: unknown) => this.logger.warn(`reload failed: ${String(e)}`));
    });
    await this.sub.subscribe(this.keys.moderationChanged());
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sub) await quietQuit(this.sub);
  }

  /** The dictionary in force, checked against the announced version first. */
  async get(): Promise<TermsList> {
    const announced = await this.redis.get(this.keys.moderationVersion());
    if (announced !== null && announced !== this.current.version) {
      if (this.reloading) await this.reloading;
      else if (Date.now() - this.lastReload >= RELOAD_MIN_INTERVAL_MS) await this.reload();
    }
    return this.current;
  }

  /** Replaced by the replica that committed a PUT, then announced to every node. */
  async publish(list: TermsList): Promise<void> {
    this.current = list;
    await this.redis.multi().set(this.keys.moderationVersion(), list.version).publish(this.keys.moderationChanged(), list.version).exec();
  }

  /** Reads PostgreSQL again; concurrent callers share one read. */
  private reload(): Promise<void> {
    this.reloading ??= this.store
      .read()
      .then((list) => {
        this.current = list;
        this.lastReload = Date.now();
      })
      .finally(() => (this.reloading = null));
    return this.reloading;
  }
}
