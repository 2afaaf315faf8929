import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { WireError } from '#contracts';
import type { MessageHeaders, StreamMessage } from './stream-message.js';

/**
 * W3C trace context across the Redis Streams transport. The client injects the caller's context
 * (`traceparent`, `tracestate`) into the message headers under a client span; the server
 * extracts it and runs the handler inside a server span that is its child. Only the
 * OpenTelemetry API is used: with no SDK registered every call here is a no-op, and a client
 * call made outside any span does no work at all.
 */
const tracer = trace.getTracer('liveroom.transport');

/** Error codes that are the service's fault, not the caller's: they mark a span as failed. */
const SERVER_FAULTS = new Set(['INTERNAL', 'UNAVAILABLE']);

export interface OutgoingTrace {
  headers: MessageHeaders;
  /** False when the message is sent outside any span: nothing to end then. */
  active: boolean;
  /** Ends the client span once with the reply's outcome (no-op without a span). */
  end(err?: WireError): void;
}

const NO_SPAN = (): void => undefined;

/** Starts the client span of a message sent to `stream` and returns the headers carrying it. */
export function startOutgoing(stream: string, pattern: string, kind: StreamMessage['kind'], base: MessageHeaders | undefined): OutgoingTrace {
  const parent = context.active();
  if (!trace.getSpan(parent)) return { headers: base ?? {}, active: false, end: NO_SPAN };
  const span = tracer.startSpan(
    `send ${pattern}`,
    {
      kind: kind === 'request' ? SpanKind.CLIENT : SpanKind.PRODUCER,
      attributes: messagingAttributes(stream, pattern, 'send'),
    },
    parent,
  );
  const headers: MessageHeaders = { ...base };
  propagation.inject(trace.setSpan(parent, span), headers);
  let ended = false;
  return {
    headers,
    active: true,
    end: (err) => {
      if (ended) return;
      ended = true;
      endSpan(span, err);
    },
  };
}

/**
 * Runs a handler inside the server span of one stream entry, parented by the trace context
 * found in its headers (a new trace when there is none). `errorOf` reads the outcome.
 */
export async function withIncoming<T>(
  stream: string,
  entryId: string,
  msg: StreamMessage,
  run: () => Promise<T>,
  errorOf: (result: T) => WireError | undefined = () => undefined,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, msg.headers);
  const span = tracer.startSpan(
    `process ${msg.pattern}`,
    {
      kind: msg.kind === 'request' ? SpanKind.SERVER : SpanKind.CONSUMER,
      attributes: { ...messagingAttributes(stream, msg.pattern, 'process'), 'messaging.message.id': entryId },
    },
    parent,
  );
  if (!span.isRecording()) return trace.getSpan(parent) ? context.with(trace.setSpan(parent, span), run) : run();
  try {
    const result = await context.with(trace.setSpan(parent, span), run);
    endSpan(span, errorOf(result));
    return result;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    throw error;
  }
}

function messagingAttributes(stream: string, pattern: string, operation: string): Record<string, string> {
  return {
    'messaging.system': 'redis_streams',
    'messaging.destination.name': stream,
    'messaging.operation.name': operation,
    'liveroom.pattern': pattern,
  };
}

function endSpan(span: Span, err: WireError | undefined): void {
  span.setAttribute('liveroom.outcome', err ? err.code : 'ok');
  if (err) {
    span.setAttribute('error.type', err.code);
    if (SERVER_FAULTS.has(err.code)) span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  }
  span.end();
}
