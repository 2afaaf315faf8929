import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { type AckFn, ackOf, replier } from '../errors/error-mapping.js';
import { LiveroomError } from '#contracts';
import { startSocketRequest } from '../observability/socket-request.js';

const UNKNOWN_EVENT = '(unknown)';

/** A client -> server event handler; it answers through `ack` exactly once (PROTOCOL §2). */
export type SocketEventHandler = (socket: Socket, body: unknown, ack: AckFn) => void;

/**
 * Routes every client event of every socket through one shared function. Nest's
 * @SubscribeMessage binding creates, per socket and per event, a bound handler and an RxJS
 * pipeline: ~60 KB of heap per idle connection with our ~20 events. Here a socket costs one entry
 * in its any-listener array (Socket.IO calls any-listeners with the socket as `this`).
 */
@Injectable()
export class SocketEventRouter {
  private readonly handlers = new Map<string, SocketEventHandler>();
  private readonly dispatch: (this: Socket, event: string, ...args: unknown[]) => void;

  constructor() {
    const handlers = this.handlers;
    this.dispatch = function (this: Socket, event: string, ...args: unknown[]): void {
      const last = args.at(-1);
      const clientAck = typeof last === 'function' ? (last as AckFn) : undefined;
      const body = clientAck ? (args.length === 2 ? args[0] : args.slice(0, -1)) : args.length === 1 ? args[0] : args;
      const handler = handlers.get(event);
      // Every request is traced and logged with its outcome (an unknown event name is not echoed).
      const request = startSocketRequest(handler ? event : UNKNOWN_EVENT, this, body, clientAck);
      request.run(() => {
        if (!handler) {
          void ackOf(() => Promise.reject(new LiveroomError('INVALID_ARGUMENT', `unknown event ${event}`))).then(request.ack);
          return;
        }
        try {
          handler(this, body, request.ack);
        } catch (error) {
          void ackOf(() => Promise.reject(error)).then(request.ack);
        }
      });
    };
  }

  /** Handlers register at module init; an event has one handler. */
  on(event: string, handler: SocketEventHandler): void {
    if (this.handlers.has(event)) throw new Error(`socket event ${event} has two handlers`);
    this.handlers.set(event, handler);
  }

  /** A request handled by `work`, answered with its result or its error. */
  request(event: string, work: (socket: Socket, body: unknown) => Promise<object> | object): void {
    this.on(event, (socket, body, ack) => void ackOf(() => work(socket, body)).then(replier(ack)));
  }

  attach(socket: Socket): void {
    socket.onAny(this.dispatch);
  }
}
