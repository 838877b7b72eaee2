import { Global, Module } from '@nestjs/common';
import { RegionalClient } from './regional-client';

@Global()
@Module({ providers: [RegionalClient], exports: [RegionalClient] })
export class RegionalModule {}
