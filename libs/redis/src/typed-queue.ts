import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { createRedis, quietQuit } from './create-redis.js';

export interface TypedQueueOptions<S extends z.ZodType> {
  redisUrl: string;
  /** BullMQ key prefix (isolates deployments and test runs). */
  prefix: string;
  name: string;
  /** Every job's data is validated against it before a handler sees it. */
  schema: S;
}

/**
 * A BullMQ queue whose jobs are typed by a zod schema: add() takes only valid data, and the worker
 * validates again at its edge (a job written by an older or foreign producer is dropped, not run).
 * Jobs live in Redis, so delayed jobs survive restarts of every process.
 */
export class TypedQueue<S extends z.ZodType> {
  private readonly queueConnection: Redis;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private workerConnection: Redis | null = null;

  constructor(private readonly options: TypedQueueOptions<S>) {
    // BullMQ needs maxRetriesPerRequest: null on its connections (blocking commands).
    this.queueConnection = createRedis(options.redisUrl, `queue:${options.name}`, { maxRetriesPerRequest: null });
    this.queue = new Queue(options.name, { connection: this.queueConnection, prefix: options.prefix });
  }

  async add(name: string, data: z.input<S>, delayMs = 0): Promise<void> {
    await this.queue.add(name, this.options.schema.parse(data), {
      delay: delayMs,
      removeOnComplete: true,
      removeOnFail: 1000,
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
    });
  }

  /** Runs `data` every `everyMs` on exactly one of the workers (a BullMQ job scheduler). */
  async every(schedulerId: string, everyMs: number, name: string, data: z.input<S>): Promise<void> {
    await this.queue.upsertJobScheduler(
      schedulerId,
      { every: everyMs },
      { name, data: this.options.schema.parse(data), opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  }

  process(handler: (data: z.infer<S>) => Promise<void>, concurrency: number): void {
    if (this.worker) throw new Error(`queue ${this.options.name} already has a worker`);
    this.workerConnection = createRedis(this.options.redisUrl, `worker:${this.options.name}`, { maxRetriesPerRequest: null });
    this.worker = new Worker(
      this.options.name,
      async (job: Job) => {
        const parsed = this.options.schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
        await handler(parsed.data);
      },
      { connection: this.workerConnection, prefix: this.options.prefix, concurrency },
    );
    // Failures are retried by BullMQ; the worker must not crash the process on a Redis hiccup.
    this.worker.on('error', (error: Error) => process.stderr.write(`queue ${this.options.name}: ${error.message}\n`));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all([quietQuit(this.queueConnection), this.workerConnection ? quietQuit(this.workerConnection) : undefined]);
  }
}
