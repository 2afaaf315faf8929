import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { Gauge } from 'prom-client';
import type { Server, Socket } from 'socket.io';
import { CLIENT_EVENTS } from '#contracts';
import { MetricsRegistry } from '#observability';
import { userRoom } from '#redis';
import { JwtVerifier } from '../auth/jwt-verifier.js';
import { type AckFn, ackOf, replier } from '../errors/error-mapping.js';
import { GiftingService } from '../gifting/gifting.service.js';
import { type ModEvent, ModerationService } from '../moderation/moderation.service.js';
import { BarrageRelayService } from './barrage-relay.service.js';
import { DrainService } from './drain.service.js';
import { LikesService } from './likes.service.js';
import { RoomMembershipService } from './room-membership.service.js';
import { newSocketState, stateOf } from '../common/socket-state.js';
import { PresenceService } from './presence.service.js';

/** Thin Socket.IO edge: authenticate, validate in the services, answer exactly one ack per request. */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private server: Server | null = null;

  constructor(
    private readonly jwt: JwtVerifier,
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

  afterInit(server: Server): void {
    this.server = server;
    this.drain.attach(server);
    // A present but invalid token refuses the connection (connect_error "UNAUTHORIZED"); none is anonymous.
    server.use((socket, next) => {
      if (this.drain.draining) return next(new Error('UNAVAILABLE'));
      const auth = socket.handshake.auth as Record<string, unknown> | undefined;
      this.jwt.verify(auth?.token).then(
        (caller) => {
          socket.data = newSocketState(caller);
          if (caller) {
            void socket.join(userRoom(caller.userId));
            this.presence.connected(caller.userId);
          }
          next();
        },
        () => next(new Error('UNAUTHORIZED')),
      );
    });
  }

  handleConnection(): void {
    // State is set by the auth middleware; nothing else to do per connection.
  }

  handleDisconnect(socket: Socket): void {
    if (!socket.data) return;
    this.membership.leaveAll(socket);
    const { caller } = stateOf(socket);
    if (caller) this.presence.disconnected(caller.userId);
  }

  @SubscribeMessage(CLIENT_EVENTS.roomJoin)
  join(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void this.membership.join(socket, body, replier(ack));
  }

  @SubscribeMessage(CLIENT_EVENTS.roomLeave)
  leave(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void ackOf(() => this.membership.leave(socket, body)).then(replier(ack));
  }

  @SubscribeMessage(CLIENT_EVENTS.barrageSend)
  sendBarrage(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void ackOf(() => this.barrage.send(socket, body)).then(replier(ack));
  }

  @SubscribeMessage(CLIENT_EVENTS.giftSend)
  sendGift(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void ackOf(() => this.gifts.sendGift(socket, body)).then(replier(ack));
  }

  @SubscribeMessage('mod:mute')
  mute(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.moderate(socket, 'mute', body, ack);
  }

  @SubscribeMessage('mod:unmute')
  unmute(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.moderate(socket, 'unmute', body, ack);
  }

  @SubscribeMessage('mod:ban')
  ban(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.moderate(socket, 'ban', body, ack);
  }

  @SubscribeMessage('mod:unban')
  unban(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.moderate(socket, 'unban', body, ack);
  }

  @SubscribeMessage('mod:delete')
  deleteEvent(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.moderate(socket, 'delete', body, ack);
  }

  @SubscribeMessage('mod:slowmode')
  slowmode(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.moderate(socket, 'slowmode', body, ack);
  }

  private moderate(socket: Socket, event: ModEvent, body: unknown, ack: AckFn): void {
    void ackOf(() => this.moderation.act(socket, event, body)).then(replier(ack));
  }

  @SubscribeMessage(CLIENT_EVENTS.likeSend)
  like(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void ackOf(() => this.likes.like(socket, body)).then(replier(ack));
  }
}
