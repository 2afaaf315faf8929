import { type ArgumentsHost, Catch, HttpException, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { isWireError, LiveroomError, type WireError } from '#contracts';
import { type Observable, throwError } from 'rxjs';

/**
 * Global RPC exception filter for apps served by the Redis Streams transport.
 *
 * Nest's default filter turns anything that is not an RpcException into
 * `{ status: 'error', message: 'Internal server error' }`, which would erase a LiveroomError's
 * code on its way to the caller. This one hands the transport a WireError instead: a thrown
 * LiveroomError (or WireError-shaped value) keeps its code, message and retryAfterMs; anything
 * else becomes INTERNAL, and only then is the real error logged (it is a bug, not a refusal).
 *
 *   app.useGlobalFilters(new LiveroomRpcExceptionFilter());
 *
 * In a hybrid app (`connectMicroservice(..., { inheritAppConfig: true })`) the same global filter
 * also sees HTTP errors; those are answered as the gateway answers them (PROTOCOL §7):
 * `{ error: { code, message } }` with the code's status.
 */
@Catch()
export class LiveroomRpcExceptionFilter implements RpcExceptionFilter<unknown, WireError> {
  private readonly logger = new Logger('LiveroomRpcExceptionFilter');

  catch(exception: unknown, host?: ArgumentsHost): Observable<never> {
    if (host?.getType() === 'http') {
      replyHttp(exception, host, this.logger);
      return throwError(() => exception);
    }
    return throwError(() => toWireError(exception, this.logger));
  }
}

/** LiveroomError/WireError keep their code; anything else is logged and becomes INTERNAL. */
export function toWireError(error: unknown, logger?: Logger): WireError {
  if (!(error instanceof LiveroomError) && !isWireError(error)) {
    logger?.error(error instanceof Error ? (error.stack ?? error.message) : `non-error thrown: ${safeString(error)}`);
  }
  return LiveroomError.from(error).toWire();
}

interface HttpResponseLike {
  headersSent?: boolean;
  status(code: number): { json(body: unknown): unknown };
}

function replyHttp(exception: unknown, host: ArgumentsHost, logger: Logger): void {
  const res = host.switchToHttp().getResponse<HttpResponseLike>();
  if (res.headersSent) return;
  const mapped =
    exception instanceof HttpException ? LiveroomError.fromHttpStatus(exception.getStatus(), exception.message) : LiveroomError.from(toWireError(exception, logger));
  res.status(mapped.httpStatus).json({ error: mapped.toWire() });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
