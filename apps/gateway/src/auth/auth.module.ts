import { Module } from '@nestjs/common';
import { CallerMiddleware } from './caller.middleware.js';
import { DevTokenController } from './dev-token.controller.js';
import { JwtVerifier } from './jwt-verifier.js';

@Module({ controllers: [DevTokenController], providers: [JwtVerifier, CallerMiddleware], exports: [JwtVerifier, CallerMiddleware] })
export class AuthModule {}
