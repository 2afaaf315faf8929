import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller } from './jwt-verifier.js';

/** Set on the request by CallerMiddleware. */
export interface RequestWithCaller extends Request {
  caller?: Caller;
}

/** The verified caller of an HTTP request (null when anonymous). */
export const HttpCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  return ctx.switchToHttp().getRequest<RequestWithCaller>().caller ?? null;
});
