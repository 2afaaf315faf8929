import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { createRedis, quietQuit, waitReady } from '#redis';

/** 16 KiB: a larger payload closes the connection (PROTOCOL §1). */
const MAX_PAYLOAD_BYTES = 16 * 1024;

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
      maxHttpBufferSize: MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
      httpCompression: false,
      cors: { origin: true, credentials: true },
      pingInterval: 25000,
      pingTimeout: 20000,
      connectTimeout: 10000,
    } as ServerOptions) as Server;
    server.adapter(createAdapter(this.pub, this.sub, { key: this.channelPrefix }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.all([quietQuit(this.pub), quietQuit(this.sub)]);
  }
}
