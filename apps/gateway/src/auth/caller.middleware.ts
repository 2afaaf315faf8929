import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { RequestWithCaller } from './http-caller.js';
import { JwtVerifier } from './jwt-verifier.js';

/** Resolves `Authorization: Bearer <jwt>` once per request; a bad token answers 401 via the error filter. */
@Injectable()
export class CallerMiddleware implements NestMiddleware {
  constructor(private readonly jwt: JwtVerifier) {}

  use(req: RequestWithCaller, _res: Response, next: NextFunction): void {
    const header = req.headers.authorization;
    // The scheme is case-insensitive (RFC 9110 §11.1): "bearer" and "BEARER" are Bearer too.
    const token = header ? (/^bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '') : undefined;
    this.jwt.verify(token).then(
      (caller) => {
        req.caller = caller;
        next();
      },
      (error: unknown) => next(error),
    );
  }
}
