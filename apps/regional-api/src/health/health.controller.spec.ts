import { INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DatabaseProbe, ProbeResult } from '@medgenie/database';
import { REGIONAL_CONFIG } from '../config/regional.config';
import { REDIS } from '../redis/redis.module';
import { HealthController } from './health.controller';

describe('HealthController', () => {
  let result: ProbeResult;
  let controller: HealthController;
  let app: INestApplicationContext;
  const reply = () => {
    const r = { statusCode: 200, status: (code: number) => ((r.statusCode = code), r) };
    return r;
  };

  beforeEach(async () => {
    result = { up: true };
    @Module({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: DatabaseProbe, useValue: { check: () => Promise.resolve(result) } },
        { provide: REGIONAL_CONFIG, useValue: { database: { readyTimeoutMs: 500 } } },
        { provide: REDIS, useValue: null },
      ],
    })
    class HealthTestModule {}
    app = await NestFactory.createApplicationContext(HealthTestModule, { logger: false });
    controller = app.get(HealthController);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await app.close();
  });

  it('answers ready while the database probe is up', async () => {
    const r = reply();
    expect(await controller.ready(r as unknown as FastifyReply)).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    expect(r.statusCode).toBe(200);
  });

  it('answers 503 with the reason, not an error, while it is down, and logs the change once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    result = { up: false, reason: 'no answer within 500 ms', error: new Error('Connection terminated') };
    for (let i = 0; i < 3; i++) {
      const r = reply();
      expect(await controller.ready(r as unknown as FastifyReply)).toMatchObject({
        status: 'error',
        error: { database: { status: 'down', message: 'no answer within 500 ms' } },
      });
      expect(r.statusCode).toBe(503);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    result = { up: true };
    await controller.ready(reply() as unknown as FastifyReply);
    expect(log).toHaveBeenCalledWith('the database answers again');
  });
});
