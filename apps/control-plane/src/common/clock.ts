import { Global, Injectable, Module } from '@nestjs/common';

/** The time, injectable so tests can move it (a trial's end, a retention cut-off). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** The one Clock of the control plane, for every module. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
