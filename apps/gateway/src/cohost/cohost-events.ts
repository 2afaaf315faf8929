import { Injectable, type OnModuleInit } from '@nestjs/common';
import { COHOST_EVENTS } from '#contracts';
import { signedIn } from '../auth/signed-in.js';
import { SocketEventRouter } from '../socket-router/socket-event-router.js';
import { type CohostAnswer, CohostService } from './cohost.service.js';

const ANSWERS: CohostAnswer[] = ['accept', 'reject', 'cancel', 'end'];

/** cohost:* client events (PROTOCOL §5), one ack each. */
@Injectable()
export class CohostEvents implements OnModuleInit {
  constructor(
    private readonly router: SocketEventRouter,
    private readonly cohost: CohostService,
  ) {}

  onModuleInit(): void {
    const r = this.router;
    r.request(COHOST_EVENTS.request, signedIn((socket, body) => this.cohost.request(socket, body)));
    r.request(COHOST_EVENTS.invite, signedIn((socket, body) => this.cohost.invite(socket, body)));
    for (const op of ANSWERS) r.request(COHOST_EVENTS[op], signedIn((socket, body) => this.cohost.answer(socket, op, body)));
    r.request(COHOST_EVENTS.signal, signedIn((socket, body) => this.cohost.signal(socket, body)));
  }
}
