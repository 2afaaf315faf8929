import { type OnModuleInit } from '@nestjs/common';
import { type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { Gauge } from 'prom-client';
import type { Server, Socket } from 'socket.io';
import { CLIENT_EVENTS } from '#contracts';
import { MetricsRegistry } from '#observability';
import { userRoom } from '#redis';
import { JwtVerifier } from '../auth/jwt-verifier.js';
import { signedIn } from '../auth/signed-in.js';
import { newSocketState, stateOf } from '../common/socket-state.js';
import { replier } from '../errors/error-mapping.js';
import { GiftingService } from '../gifting/gifting.service.js';
import { type ModEvent, ModerationService } from '../moderation/moderation.service.js';
import { SocketEventRouter } from '../socket-router/socket-event-router.js';
import { BarrageRelayService } from './barrage-relay.service.js';
import { DrainService } from './drain.service.js';
import { LikesService } from './likes.service.js';
import { PresenceService } from './presence.service.js';
import { RoomMembershipService } from './room-membership.service.js';

const MOD_EVENTS: ModEvent[] = ['mute', 'unmute', 'ban', 'unban', 'delete', 'slowmode'];

/**
 * Thin Socket.IO edge: authenticates each connection, then routes its events (through the shared
 * SocketEventRouter, not per-socket Nest bindings) to the services, one ack per request.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayDisconnect, OnModuleInit {
  private server: Server | null = null;

  constructor(
    private readonly jwt: JwtVerifier,
    private readonly router: SocketEventRouter,
    private readonly membership: RoomMembershipService,
    private readonly barrage: BarrageRelayService,
    private readonly likes: LikesService,
    private readonly gifts: GiftingService,
    private readonly drain: DrainService,
    private readonly moderation: ModerationService,
    private readonly presence: PresenceService,
    metrics: MetricsRegistry,
  ) {
    const connections = new Gauge({
      name: 'liveroom_gateway_connections',
      help: 'open Socket.IO connections of this gateway process',
      registers: [metrics.registry],
    });
    metrics.beforeScrape(() => connections.set(this.server?.of('/').sockets.size ?? 0));
  }

  onModuleInit(): void {
    const r = this.router;
    r.on(CLIENT_EVENTS.roomJoin, (socket, body, ack) => void this.membership.join(socket, body, replier(ack)));
    r.request(CLIENT_EVENTS.roomLeave, (socket, body) => this.membership.leave(socket, body));
    r.request(CLIENT_EVENTS.barrageSend, signedIn((socket, body) => this.barrage.send(socket, body)));
    r.request(CLIENT_EVENTS.giftSend, signedIn((socket, body) => this.gifts.sendGift(socket, body)));
    r.request(CLIENT_EVENTS.likeSend, signedIn((socket, body) => this.likes.like(socket, body)));
    for (const event of MOD_EVENTS) r.request(`mod:${event}`, signedIn((socket, body) => this.moderation.act(socket, event, body)));
  }

  afterInit(server: Server): void {
    this.server = server;
    this.drain.attach(server);
    // A present but invalid token refuses the connection (connect_error "UNAUTHORIZED"); none is anonymous.
    server.use((socket, next) => {
      if (this.drain.draining) return next(new Error('UNAVAILABLE'));
      const auth = socket.handshake.auth as Record<string, unknown> | undefined;
      const token = auth?.token;
      // The token is not needed once verified: don't hold ~200 bytes of JWT per connection.
      socket.handshake.auth = {};
      this.jwt.verifySession(token).then(
        ({ caller, expiresAt }) => {
          socket.data = newSocketState(caller, expiresAt);
          if (caller) {
            void socket.join(userRoom(caller.userId));
            this.presence.connected(caller.userId);
          }
          this.router.attach(socket as Socket);
          next();
        },
        () => next(new Error('UNAUTHORIZED')),
      );
    });
  }

  handleDisconnect(socket: Socket): void {
    if (!socket.data) return;
    this.membership.leaveAll(socket);
    const { caller } = stateOf(socket);
    if (caller) this.presence.disconnected(caller.userId);
  }
}
