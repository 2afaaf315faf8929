import { Module } from '@nestjs/common';
import { SocketEventRouter } from './socket-event-router.js';

@Module({ providers: [SocketEventRouter], exports: [SocketEventRouter] })
export class SocketRouterModule {}
