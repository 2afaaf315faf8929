import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { LiveroomError, type WireError } from '#contracts';
import { noteErrorCode } from '../observability/http-request.js';

/** Socket.IO acks (PROTOCOL §2). */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: WireError };

const logger = new Logger('errors');

/** The one place an error becomes what a client sees: unknown failures are logged and become INTERNAL. */
export function toLiveroomError(error: unknown): LiveroomError {
  const mapped = LiveroomError.from(error);
  if (mapped.code === 'INTERNAL' && !(error instanceof LiveroomError)) logger.error(error);
  return mapped;
}

/** Runs a request and answers exactly one ack, whatever happens. */
export async function ackOf<T extends object>(work: () => Promise<T> | T): Promise<Ack<T>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    return { ok: false, error: toLiveroomError(error).toWire() };
  }
}

/** The ack callback of a Socket.IO event, when the client sent one. */
export type AckFn = ((body: Ack<object>) => void) | undefined;

/** Answers a request's ack callback, if any (PROTOCOL §2: exactly one ack per request). */
export function replier(ack: AckFn): (body: Ack<object>) => void {
  return (body) => (typeof ack === 'function' ? ack(body) : undefined);
}

/** HTTP side: `{ error: { code, message } }` with the code's status (PROTOCOL §7). */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const mapped = error instanceof HttpException ? LiveroomError.fromHttpStatus(error.getStatus(), error.getStatus() === 404 ? 'no such route' : error.message) : toLiveroomError(error);
    noteErrorCode(res, mapped.code);
    res.status(mapped.httpStatus).json({ error: mapped.toWire() });
  }
}

