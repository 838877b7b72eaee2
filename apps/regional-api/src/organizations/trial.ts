import { Injectable } from '@nestjs/common';

/** The time, injectable so tests can move it (the trial's end, say). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** Whether a trial ending at `endsAt` (null: not on a trial) is over at `now`. */
export function trialExpired(endsAt: Date | null, now: Date): boolean {
  return endsAt !== null && endsAt.getTime() <= now.getTime();
}
