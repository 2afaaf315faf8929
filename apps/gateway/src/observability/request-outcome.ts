import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { Histogram, type Registry } from 'prom-client';
import { type AppLogger, getLogger } from '#observability';

/**
 * The end of one client request (a Socket.IO event or an HTTP call): one log line, and the
 * request span (if tracing is on) closed with the same outcome. Shared by the socket and HTTP
 * paths so both report alike:
 *   {"level":"info","context":"request","kind":"socket","event":"gift:send","userId":"u1",
 *    "roomId":"r1","outcome":"ok","durationMs":3.2,"trace_id":"…","span_id":"…","msg":"request"}
 */
export interface RequestOutcome {
  kind: 'socket' | 'http';
  /** Socket.IO event name, or `METHOD /route/:template` for HTTP. */
  name: string;
  userId: string | null;
  roomId: string | null;
  /** `ok`, or the error code the client got. */
  outcome: string;
  /** HTTP status (HTTP only). */
  status?: number;
  startedAt: number;
}

export const tracer = trace.getTracer('liveroom.gateway');

/** Error codes that are the gateway's or a backend's fault; the others are the client's. */
const SERVER_FAULTS = new Set(['INTERNAL', 'UNAVAILABLE']);

let logger: AppLogger | null = null;

type RequestLabel = 'kind' | 'event' | 'outcome';
let requestDuration: Histogram<RequestLabel> | null = null;

/**
 * Registers `liveroom_gateway_request_duration_seconds` in the app's registry (called once by the
 * gateway at start; a later call, e.g. another app instance in one test process, takes over).
 * Labels are bounded: socket event names are the router's (unknown ones share one name), HTTP routes
 * are templates, outcomes are `ok` or an error code.
 */
export function registerRequestMetrics(registry: Registry): void {
  requestDuration = new Histogram<RequestLabel>({
    name: 'liveroom_gateway_request_duration_seconds',
    help: 'client requests from arrival to their ack (socket) or response (http), by kind, event (socket event or HTTP method + route) and outcome (ok or the error code)',
    labelNames: ['kind', 'event', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

export function finishRequest(result: RequestOutcome, span: Span | undefined): void {
  const elapsedMs = performance.now() - result.startedAt;
  const durationMs = Math.round(elapsedMs * 100) / 100;
  requestDuration?.observe({ kind: result.kind, event: result.name, outcome: result.outcome }, elapsedMs / 1000);
  if (span) endSpan(span, result);
  // Created on first use, after main.ts has set the process's logger up.
  logger ??= getLogger('request');
  const level = result.outcome === 'INTERNAL' ? 'error' : result.outcome === 'UNAVAILABLE' ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const fields: Record<string, unknown> = {
    kind: result.kind,
    [result.kind === 'socket' ? 'event' : 'route']: result.name,
    userId: result.userId,
    roomId: result.roomId,
    outcome: result.outcome,
    durationMs,
  };
  if (result.status !== undefined) fields.status = result.status;
  if (span) {
    // The ack may run outside the request's context (a timer): name the trace explicitly.
    const { traceId, spanId } = span.spanContext();
    fields.trace_id = traceId;
    fields.span_id = spanId;
  }
  logger[level](fields, 'request');
}

function endSpan(span: Span, result: RequestOutcome): void {
  span.setAttribute('liveroom.outcome', result.outcome);
  if (result.userId) span.setAttribute('enduser.id', result.userId);
  if (result.roomId) span.setAttribute('liveroom.room_id', result.roomId);
  if (result.outcome !== 'ok') {
    span.setAttribute('error.type', result.outcome);
    if (SERVER_FAULTS.has(result.outcome)) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** A room id from a request body or path, if it has one that looks like an id (never a long string in a log). */
export function roomIdIn(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const { roomId, sessionId } = value as { roomId?: unknown; sessionId?: unknown };
  if (typeof roomId === 'string') return short(roomId);
  // A co-host session id is `<roomId>~<nonce>` (PROTOCOL §5).
  if (typeof sessionId === 'string' && sessionId.includes('~')) return short(sessionId.slice(0, sessionId.lastIndexOf('~')));
  return null;
}

function short(id: string): string | null {
  return id.length > 0 && id.length <= 64 ? id : null;
}
