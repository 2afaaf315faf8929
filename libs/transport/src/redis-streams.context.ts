import { BaseRpcContext } from '@nestjs/microservices';
import type { MessageHeaders } from './stream-message.js';

type RedisStreamsContextArgs = [stream: string, entryId: string, pattern: string, headers: MessageHeaders];

/** What a handler can learn about the stream entry it is handling (`@Ctx() ctx: RedisStreamsContext`). */
export class RedisStreamsContext extends BaseRpcContext<RedisStreamsContextArgs> {
  getStream(): string {
    return this.args[0];
  }

  /** Stream entry id; stable across redeliveries, usable as an idempotency key. */
  getEntryId(): string {
    return this.args[1];
  }

  getPattern(): string {
    return this.args[2];
  }

  getHeaders(): MessageHeaders {
    return this.args[3];
  }

  /** Same as getHeaders(), under the name Nest's built-in contexts use (packet metadata). */
  getMetadata(): MessageHeaders {
    return this.args[3];
  }
}
