import { context, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isTracingEnabled } from '#observability';
import type { RequestWithCaller } from '../auth/http-caller.js';
import { finishRequest, roomIdIn, tracer } from './request-outcome.js';

/** The HTTP API (PROTOCOL §7). Probes, scrapes, docs and static files are neither traced nor logged. */
const API = /^\/v1\//;
const ROOM_PATH = /^\/v1\/rooms\/([^/]+)/;

/** Where the error filter leaves the error code it answered, for the request log. */
const ERROR_CODE = 'liveroomErrorCode';

/** Called by the HTTP error filter: the code the client got (`{ error: { code } }`). */
export function noteErrorCode(res: Response, code: string): void {
  (res.locals as Record<string, unknown>)[ERROR_CODE] = code;
}

/**
 * Express middleware (after the body parser, before the routes): a root span per API request,
 * named `METHOD /route/:template` once routing has matched, made active so that backend calls
 * join the trace, and one log line when the response is finished.
 */
export function httpRequestTelemetry(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!API.test(req.path)) return next();
    const startedAt = performance.now();
    const span: Span | undefined = isTracingEnabled()
      ? tracer.startSpan(
          `${req.method}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
          ROOT_CONTEXT,
        )
      : undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const route = routeOf(req);
      const status = res.writableFinished ? res.statusCode : 499; // 499: the client went away first
      span?.updateName(`${req.method} ${route}`);
      span?.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      const code = (res.locals as Record<string, unknown>)[ERROR_CODE];
      finishRequest(
        {
          kind: 'http',
          name: `${req.method} ${route}`,
          userId: (req as RequestWithCaller).caller?.userId ?? null,
          roomId: roomIdIn({ roomId: ROOM_PATH.exec(req.path)?.[1] }),
          outcome: status < 400 ? 'ok' : typeof code === 'string' ? code : `HTTP_${status}`,
          status,
          startedAt,
        },
        span,
      );
    };
    res.once('finish', finish);
    res.once('close', finish);
    if (span) context.with(trace.setSpan(ROOT_CONTEXT, span), next);
    else next();
  };
}

/** The matched route template (`/v1/rooms/:id`), never the raw path: ids would explode span names. */
function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : '(unmatched)';
}
