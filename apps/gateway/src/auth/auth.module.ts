import { Module } from '@nestjs/common';
import { CallerMiddleware } from './caller.middleware.js';
import { JwtVerifier } from './jwt-verifier.js';

@Module({ providers: [JwtVerifier, CallerMiddleware], exports: [JwtVerifier, CallerMiddleware] })
export class AuthModule {}
