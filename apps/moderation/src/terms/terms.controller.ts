import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  dictionaryCommandSchema,
  MODERATION_PATTERNS,
  parseInput,
  termsCommandSchema,
  termsGetCommandSchema,
  type TermsList,
} from '#contracts';
import { Dictionary } from './dictionary.js';
import { TermsService } from './terms.service.js';

@Controller()
export class TermsController {
  constructor(
    private readonly terms: TermsService,
    private readonly dictionary: Dictionary,
  ) {}

  @MessagePattern(MODERATION_PATTERNS.termsGet)
  get(@Payload() payload: unknown): Promise<TermsList> {
    return this.terms.get(parseInput(termsGetCommandSchema, payload).actor);
  }

  @MessagePattern(MODERATION_PATTERNS.termsPut)
  put(@Payload() payload: unknown): Promise<TermsList> {
    const command = parseInput(termsCommandSchema, payload);
    return this.terms.put(command.actor, command.terms);
  }

  /** For the barrage service: no actor, the dictionary in force. */
  @MessagePattern(MODERATION_PATTERNS.dictionary)
  dictionaryInForce(@Payload() payload: unknown): Promise<TermsList> {
    parseInput(dictionaryCommandSchema, payload ?? {});
    return this.dictionary.get();
  }
}
