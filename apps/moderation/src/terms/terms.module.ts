import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { Dictionary } from './dictionary.js';
import { TermStore } from './term-store.js';
import { TermsController } from './terms.controller.js';
import { TermsService } from './terms.service.js';

@Module({
  imports: [AuditModule],
  controllers: [TermsController],
  providers: [TermsService, TermStore, Dictionary],
})
export class TermsModule {}
