import { Module } from '@nestjs/common';
import { AdmissionModule } from '../admission/admission.module.js';
import { DictionaryModule } from '../dictionary/dictionary.module.js';
import { BarrageController } from './barrage.controller.js';
import { BarrageService } from './barrage.service.js';

@Module({
  imports: [AdmissionModule, DictionaryModule],
  controllers: [BarrageController],
  providers: [BarrageService],
})
export class BarrageModule {}
