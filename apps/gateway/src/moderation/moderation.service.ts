import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import {
  type ModAction,
  modDeleteSchema,
  MODERATION_PATTERNS,
  type ModerationActCommand,
  moderationActResultSchema,
  modMuteSchema,
  modSlowmodeSchema,
  modTargetSchema,
  parseInput,
  type TermsList,
  termsListSchema,
  termsPutSchema,
} from '#contracts';
import type { ServiceClient } from '#transport';
import { type Caller, requireUser } from '../auth/jwt-verifier.js';
import { stateOf } from '../common/socket-state.js';
import { MODERATION_CLIENT } from '../services/services.module.js';

export type ModEvent = 'mute' | 'unmute' | 'ban' | 'unban' | 'delete' | 'slowmode';

/** mod:* events and the terms endpoints: validated here, decided by the moderation service. */
@Injectable()
export class ModerationService {
  constructor(@Inject(MODERATION_CLIENT) private readonly moderation: ServiceClient) {}

  act(socket: Socket, event: ModEvent, payload: unknown): Promise<{ seq?: number }> {
    const actor = requireUser(stateOf(socket).caller);
    const command: ModerationActCommand = { actor, act: toAction(event, payload) };
    return this.moderation.call(MODERATION_PATTERNS.act, command, moderationActResultSchema);
  }

  terms(caller: Caller): Promise<TermsList> {
    return this.moderation.call(MODERATION_PATTERNS.termsGet, { actor: requireUser(caller) }, termsListSchema);
  }

  replaceTerms(caller: Caller, body: unknown): Promise<TermsList> {
    const { terms } = parseInput(termsPutSchema, body);
    return this.moderation.call(MODERATION_PATTERNS.termsPut, { actor: requireUser(caller), terms }, termsListSchema);
  }
}

function toAction(event: ModEvent, payload: unknown): ModAction {
  switch (event) {
    case 'mute':
      return { action: 'mute', ...parseInput(modMuteSchema, payload) };
    case 'delete':
      return { action: 'delete', ...parseInput(modDeleteSchema, payload) };
    case 'slowmode':
      return { action: 'slowmode', ...parseInput(modSlowmodeSchema, payload) };
    default:
      return { action: event, ...parseInput(modTargetSchema, payload) };
  }
}
