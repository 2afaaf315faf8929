import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { createRedis, quietQuit, waitReady } from '#redis';
import { trimConnections } from './lean-connection.js';
import { leanRooms } from './lean-rooms.js';
import { MAX_MESSAGE_BYTES, payloadLimitParser } from './payload-limit-parser.js';

/**
 * Socket.IO server options and the Redis adapter, which lets gateways reach each other's sockets
 * (targeted emits, cross-node socket operations). Room event fan-out does not go through it: each
 * gateway follows the room log itself.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(
    app: INestApplicationContext,
    redisUrl: string,
    private readonly channelPrefix: string,
  ) {
    super(app);
    this.pub = createRedis(redisUrl, 'gateway-io-pub');
    this.sub = createRedis(redisUrl, 'gateway-io-sub');
  }

  async connect(): Promise<void> {
    await Promise.all([waitReady(this.pub), waitReady(this.sub)]);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      // Engine.IO's cap per message; the decoder enforces PROTOCOL's payload limits exactly.
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      parser: payloadLimitParser,
      perMessageDeflate: false,
      httpCompression: false,
      cors: { origin: true, credentials: true },
      pingInterval: 25000,
      pingTimeout: 20000,
      connectTimeout: 10000,
    } as ServerOptions) as Server;
    server.adapter(leanRooms(createAdapter(this.pub, this.sub, { key: this.channelPrefix })));
    trimConnections(server);
    return server;
  }

  /**
   * Nest's IoAdapter builds an RxJS pipeline (fromEvent + mergeMap + takeUntil) per handler per
   * socket, and a disconnect observable even when there is no handler. Client events go through
   * SocketEventRouter (no @SubscribeMessage), so this is normally a no-op; should a gateway declare
   * handlers, one Map and one `onAny` listener per socket serve them without RxJS per socket.
   */
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length === 0) return;
    const byEvent = new Map<string, MessageMappingProperties>();
    for (const handler of handlers) byEvent.set(String(handler.message), handler);
    socket.onAny((event: string, ...args: unknown[]) => {
      const handler = byEvent.get(event);
      if (!handler) return;
      const { data, ack } = this.mapPayload(args) as { data: unknown; ack?: (response: unknown) => void };
      let result: unknown;
      try {
        result = handler.callback(data, ack);
      } catch (error) {
        this.logger.error(error);
        return;
      }
      const respond = (value: unknown): void => {
        if (value === undefined || value === null) return;
        transform(value).subscribe({
          next: (response) => {
            if (response === undefined || response === null) return;
            const routed = response as { event?: string; data?: unknown };
            if (routed.event) socket.emit(routed.event, routed.data);
            else if (!handler.isAckHandledManually && typeof ack === 'function') ack(response);
          },
          error: (error: unknown) => this.logger.error(error),
        });
      };
      // Nest's handler wrapper is async: settle the promise here, no Observable for a void result.
      if (result instanceof Promise) result.then(respond, (error: unknown) => this.logger.error(error));
      else respond(result);
    });
  }

  /** Nest's default uses once(): a wrapper state object and a bound function more per socket. */
  override bindClientDisconnect(client: Socket, callback: (reason: unknown) => void): void {
    client.on('disconnect', callback);
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.all([quietQuit(this.pub), quietQuit(this.sub)]);
  }
}
