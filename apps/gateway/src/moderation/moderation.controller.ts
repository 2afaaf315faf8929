import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type TermsList, termsListSchema, termsPutSchema } from '#contracts';
import { HttpCaller } from '../auth/http-caller.js';
import type { Caller } from '../auth/jwt-verifier.js';
import { ApiAuth, ApiErrors } from '../openapi-docs.js';
import { ModerationService } from './moderation.service.js';

/** PROTOCOL §7: the term list (admins); a change is in force on every node within 2 s. */
@ApiTags('moderation')
@ApiAuth()
@ApiErrors(403, 503)
@Controller('v1/admin/moderation/terms')
export class ModerationController {
  constructor(private readonly moderation: ModerationService) {}

  @Get()
  @ApiOperation({ summary: 'The moderation term list and its version (admin)' })
  @ApiOkResponse({ standardSchema: termsListSchema })
  list(@HttpCaller() caller: Caller): Promise<TermsList> {
    return this.moderation.terms(caller);
  }

  @Put()
  @ApiOperation({ summary: 'Replace the term list; in force on every node within 2 s (admin)' })
  @ApiOkResponse({ standardSchema: termsListSchema })
  @ApiErrors(400)
  replace(@HttpCaller() caller: Caller, @Body({ schema: termsPutSchema }) body: unknown): Promise<TermsList> {
    return this.moderation.replaceTerms(caller, body);
  }
}
