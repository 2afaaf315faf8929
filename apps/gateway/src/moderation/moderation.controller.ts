import { Body, Controller, Get, Put } from '@nestjs/common';
import type { TermsList } from '#contracts';
import { HttpCaller } from '../auth/http-caller.js';
import type { Caller } from '../auth/jwt-verifier.js';
import { ModerationService } from './moderation.service.js';

/** PROTOCOL §7: the term list (admins); a change is in force on every node within 2 s. */
@Controller('v1/admin/moderation/terms')
export class ModerationController {
  constructor(private readonly moderation: ModerationService) {}

  @Get()
  list(@HttpCaller() caller: Caller): Promise<TermsList> {
    return this.moderation.terms(caller);
  }

  @Put()
  replace(@HttpCaller() caller: Caller, @Body() body: unknown): Promise<TermsList> {
    return this.moderation.replaceTerms(caller, body);
  }
}
