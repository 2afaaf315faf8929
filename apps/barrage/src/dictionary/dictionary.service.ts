import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { dictionarySchema, LiveroomError, MODERATION_PATTERNS, MODERATION_SERVICE, RedisKeys } from '#contracts';
import { HealthRegistry, MetricsRegistry } from '#observability';
import { createRedis, quietQuit, REDIS } from '#redis';
import { buildTermFilter, type TermFilter, warmUp } from '#term-filter';
import { RedisStreamsClient, ServiceClient } from '#transport';
import { BARRAGE_CONFIG, type BarrageConfig } from '../config.js';

const FIRST_LOAD_RETRY_MS = 250;

/**
 * The moderation dictionary this replica filters with. Policy when the moderation service is down:
 * keep filtering with the last dictionary (a circuit breaker stops hammering it); only a replica that
 * never got one answers UNAVAILABLE. A new version (announced on Redis, also polled) is fetched and
 * built outside request handling, then swapped in with one assignment.
 */
@Injectable()
export class DictionaryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('dictionary');
  private filter: TermFilter | null = null;
  private readonly moderation: ServiceClient;
  private readonly subscriber: Redis;
  private readonly breaker = circuitBreaker(handleAll, { halfOpenAfter: 2000, breaker: new ConsecutiveBreaker(3) });
  private poll: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopping = false;
  private readonly decisions: Counter<'decision'>;

  constructor(
    @Inject(BARRAGE_CONFIG) private readonly config: BarrageConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    metrics: MetricsRegistry,
    health: HealthRegistry,
  ) {
    health.addProbe('dictionary', async () => {
      if (!this.filter) throw new Error('no moderation dictionary yet');
    });
    this.moderation = new ServiceClient(
      MODERATION_SERVICE,
      new RedisStreamsClient({ redisUrl: config.REDIS_URL, prefix: keys.transportPrefix(), service: MODERATION_SERVICE, timeoutMs: config.MODERATION_TIMEOUT_MS }),
    );
    this.subscriber = createRedis(config.REDIS_URL, 'barrage-dictionary');
    this.decisions = new Counter({ name: 'liveroom_moderation_decisions_total', help: 'barrage messages by filter decision', labelNames: ['decision'], registers: [metrics.registry] });
    const version = new Gauge({ name: 'liveroom_moderation_dictionary_terms', help: 'terms in the dictionary in force', registers: [metrics.registry] });
    metrics.beforeScrape(() => version.set(this.filter?.size ?? 0));
  }

  async onModuleInit(): Promise<void> {
    warmUp();
    this.subscriber.on('message', () => void this.refresh());
    await this.subscriber.subscribe(this.keys.moderationChanged());
    this.poll = setInterval(() => void this.refresh(), this.config.DICTIONARY_POLL_MS);
    this.poll.unref();
    // Before the app starts consuming barrage requests (runService awaits app.init() before the
    // transport connects): a replica that took requests without a dictionary would answer UNAVAILABLE.
    await this.firstLoad();
  }

  /**
   * Tries until a dictionary is in force or DICTIONARY_FIRST_LOAD_MS passed. Then the replica consumes
   * requests anyway (answering UNAVAILABLE until the poll gets one: moderation may be down) and its
   * /readyz stays red, so a rollout during a moderation outage does not replace working replicas.
   */
  private async firstLoad(): Promise<void> {
    for (const until = Date.now() + this.config.DICTIONARY_FIRST_LOAD_MS; !this.filter && !this.stopping && Date.now() < until; ) {
      await this.refresh();
      if (!this.filter) await new Promise((resolve) => setTimeout(resolve, FIRST_LOAD_RETRY_MS));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.poll) clearInterval(this.poll);
    await Promise.all([quietQuit(this.subscriber), this.moderation.close()]);
  }

  /** The filter in force; UNAVAILABLE only while this replica has never had one. */
  current(): TermFilter {
    if (!this.filter) throw new LiveroomError('UNAVAILABLE', 'moderation dictionary not loaded yet', 1000);
    return this.filter;
  }

  count(decision: 'pass' | 'mask' | 'block'): void {
    this.decisions.inc({ decision });
  }

  /** Fetches and swaps in the dictionary if its version changed. Never throws. */
  refresh(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.refreshing ??= this.load().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    try {
      const announced = await this.redis.get(this.keys.moderationVersion());
      if (this.filter && announced !== null && announced === this.filter.version) return;
      const dictionary = await this.breaker.execute(() => this.moderation.call(MODERATION_PATTERNS.dictionary, {}, dictionarySchema));
      if (this.filter?.version === dictionary.version) return;
      // Built between requests (a macrotask of its own), then one assignment swaps it in.
      await new Promise((resolve) => setImmediate(resolve));
      this.filter = buildTermFilter(dictionary.terms, { version: dictionary.version });
      this.logger.log(`dictionary ${dictionary.version} in force (${this.filter.size} terms)`);
    } catch (error) {
      if (!this.filter) this.logger.warn(`no dictionary yet: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
