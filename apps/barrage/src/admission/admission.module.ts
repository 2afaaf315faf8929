import { Module } from '@nestjs/common';
import { AdmissionService } from './admission.service.js';

@Module({ providers: [AdmissionService], exports: [AdmissionService] })
export class AdmissionModule {}
