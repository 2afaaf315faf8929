import { Ack, ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { COHOST_EVENTS } from '#contracts';
import { type AckFn, ackOf, replier } from '../errors/error-mapping.js';
import { type CohostAnswer, CohostService } from './cohost.service.js';

/** cohost:* events on the same Socket.IO server as the room events (Nest merges the gateways). */
@WebSocketGateway()
export class CohostGateway {
  constructor(private readonly cohost: CohostService) {}

  @SubscribeMessage(COHOST_EVENTS.request)
  request(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void ackOf(() => this.cohost.request(socket, body)).then(replier(ack));
  }

  @SubscribeMessage(COHOST_EVENTS.invite)
  invite(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void ackOf(() => this.cohost.invite(socket, body)).then(replier(ack));
  }

  @SubscribeMessage(COHOST_EVENTS.accept)
  accept(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.answer(socket, 'accept', body, ack);
  }

  @SubscribeMessage(COHOST_EVENTS.reject)
  reject(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.answer(socket, 'reject', body, ack);
  }

  @SubscribeMessage(COHOST_EVENTS.cancel)
  cancel(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.answer(socket, 'cancel', body, ack);
  }

  @SubscribeMessage(COHOST_EVENTS.end)
  end(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    this.answer(socket, 'end', body, ack);
  }

  @SubscribeMessage(COHOST_EVENTS.signal)
  signal(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown, @Ack() ack: AckFn): void {
    void ackOf(() => this.cohost.signal(socket, body)).then(replier(ack));
  }

  private answer(socket: Socket, op: CohostAnswer, body: unknown, ack: AckFn): void {
    void ackOf(() => this.cohost.answer(socket, op, body)).then(replier(ack));
  }
}
