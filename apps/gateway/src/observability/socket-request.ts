import { context, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { Socket } from 'socket.io';
import { isTracingEnabled } from '#observability';
import type { SocketState } from '../common/socket-state.js';
import type { Ack, AckFn } from '../errors/error-mapping.js';
import { finishRequest, roomIdIn, tracer } from './request-outcome.js';

/** One client request over Socket.IO, from the event to its one ack (PROTOCOL §2). */
export interface SocketRequest {
  /** Give this to the handler instead of the client's ack: it reports the outcome, then acks. */
  readonly ack: (body: Ack<object>) => void;
  /** Runs the handler with the request span active, so backend calls join its trace. */
  run(fn: () => void): void;
}

/**
 * Starts a request: a root span `socket <event>` when tracing is on (a trace starts at the
 * gateway; client-supplied context is not trusted), and a log line once it is answered. Only
 * client requests come through here, never room event fan-out.
 */
export function startSocketRequest(event: string, socket: Socket, body: unknown, clientAck: AckFn): SocketRequest {
  const startedAt = performance.now();
  const userId = (socket.data as SocketState | undefined)?.caller?.userId ?? null;
  const roomId = roomIdIn(body);
  const span: Span | undefined = isTracingEnabled()
    ? tracer.startSpan(
        `socket ${event}`,
        { kind: SpanKind.SERVER, attributes: { 'liveroom.event': event, 'network.protocol.name': 'socket.io' } },
        ROOT_CONTEXT,
      )
    : undefined;
  let answered = false;
  return {
    ack: (result) => {
      if (typeof clientAck === 'function') clientAck(result);
      if (answered) return;
      answered = true;
      finishRequest({ kind: 'socket', name: event, userId, roomId, outcome: result.ok ? 'ok' : result.error.code, startedAt }, span);
    },
    run: (fn) => (span ? context.with(trace.setSpan(ROOT_CONTEXT, span), fn) : fn()),
  };
}
