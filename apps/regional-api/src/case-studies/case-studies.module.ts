import { Module } from '@nestjs/common';
import { DentalModule } from '../dental/dental.module';
import { CaseStudiesController } from './case-studies.controller';
import { CaseStudiesRepository } from './case-studies.repository';
import { CaseStudiesService } from './case-studies.service';

/** Case studies: a patient's dental records (observations, procedures, attachments) linked under a summary. */
@Module({ imports: [DentalModule], controllers: [CaseStudiesController], providers: [CaseStudiesRepository, CaseStudiesService] })
export class CaseStudiesModule {}
