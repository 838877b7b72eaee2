import { Module } from '@nestjs/common';

/** Issue 5: filled in by this feature's controllers and services. */
@Module({})
export class DoctorsModule {}
