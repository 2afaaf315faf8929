import type { z } from 'zod';
import { LiveroomError } from '#contracts';
import type { RedisStreamsClient } from './redis-streams.client.js';

/**
 * A backend service as the gateway sees it: one request, one validated answer. Transport errors and
 * the service's own LiveroomErrors arrive as WireErrors and are rethrown as LiveroomError; a reply
 * that does not fit the contract is an INTERNAL error, never passed on to a client.
 */
export class ServiceClient {
  constructor(
    readonly service: string,
    private readonly client: RedisStreamsClient,
  ) {}

  async call<S extends z.ZodType>(pattern: string, payload: unknown, resultSchema: S): Promise<z.infer<S>> {
    let reply: unknown;
    try {
      reply = await this.client.request(pattern, payload);
    } catch (error) {
      throw LiveroomError.from(error);
    }
    const result = resultSchema.safeParse(reply);
    if (!result.success) throw new LiveroomError('INTERNAL', `unexpected reply from the ${this.service} service`);
    return result.data;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
