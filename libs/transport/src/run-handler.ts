import type { Logger } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { toWireError } from './liveroom-rpc-exception.filter.js';
import type { RedisStreamsContext } from './redis-streams.context.js';
import type { ReplyPacket, StreamEvent, StreamRequest } from './stream-message.js';

/** The few (partly protected) Server members the runners need, bound by the server. */
export interface HandlerHost {
  handlerFor(pattern: string): MessageHandler | null;
  /** Server#runWithProcessingHooks: lets instrumentation wrap the handler (trace spans). */
  withHooks(ctx: RedisStreamsContext, fn: (runEndHook: () => void) => Promise<void>): void;
}

/**
 * Runs a request handler to completion and returns the one reply to publish. A handler's
 * observable is reduced to its last value: this transport is strictly request/response.
 * Never rejects: failures become a WireError reply.
 */
export async function runRequestHandler(
  host: HandlerHost,
  msg: StreamRequest,
  ctx: RedisStreamsContext,
  logger: Logger,
): Promise<ReplyPacket> {
  const handler = host.handlerFor(msg.pattern);
  if (!handler || handler.isEventHandler) {
    logger.error(`no message handler for pattern ${msg.pattern}`);
    return { id: msg.id, err: { code: 'INTERNAL', message: `no handler for ${msg.pattern}` }, isDisposed: true };
  }
  const outcome = await runWithHooks(host, ctx, async () => {
    return lastValueOf(await handler(msg.data, ctx));
  });
  if (!outcome.ok) {
    // With LiveroomRpcExceptionFilter registered, the error is already a WireError.
    return { id: msg.id, err: toWireError(outcome.error, logger), isDisposed: true };
  }
  const reply: ReplyPacket = { id: msg.id, isDisposed: true };
  if (outcome.value !== undefined) reply.response = outcome.value;
  return reply;
}

/** Runs every handler registered for an event and waits for them; failures are logged, never replied. */
export async function runEventHandler(
  host: HandlerHost,
  msg: StreamEvent,
  ctx: RedisStreamsContext,
  logger: Logger,
): Promise<void> {
  const handler = host.handlerFor(msg.pattern);
  if (!handler) {
    logger.error(`no event handler for pattern ${msg.pattern}; event dropped`);
    return;
  }
  const outcome = await runWithHooks(host, ctx, async () => {
    return lastValueOf(await handler(msg.data, ctx));
  });
  if (!outcome.ok) logger.error(`event handler for ${msg.pattern} failed: ${describe(outcome.error)}`);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `work` between the processing hooks and settles once it is done; never rejects. */
function runWithHooks(host: HandlerHost, ctx: RedisStreamsContext, work: () => Promise<unknown>): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    try {
      host.withHooks(ctx, async (runEndHook) => {
        try {
          resolve({ ok: true, value: await work() });
        } catch (error) {
          resolve({ ok: false, error });
        } finally {
          runEndHook();
        }
      });
    } catch (error) {
      // A start hook that throws must not leave the entry pending forever.
      resolve({ ok: false, error });
    }
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/**
 * A handler's result (already awaited) as one value: an observable's last, or the value itself, as
 * Nest's transformToObservable + lastValueFrom would give, without building an observable for the
 * plain values nearly every handler returns.
 */
function lastValueOf(result: unknown): Promise<unknown> | unknown {
  return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
}
