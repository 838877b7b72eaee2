import { ArgumentsHost, BadRequestException, HttpStatus, InternalServerErrorException, Logger } from '@nestjs/common';
import { DomainError } from './domain-error';
import { HttpErrorFilter, toErrorBody } from './http-error.filter';

describe('toErrorBody', () => {
  it('maps domain errors with their code', () => {
    expect(toErrorBody(new DomainError('PATIENT_NOT_FOUND', 'Patient not found', HttpStatus.NOT_FOUND))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Patient not found',
      code: 'PATIENT_NOT_FOUND',
    });
  });

  it('keeps 4xx messages and hides 5xx ones', () => {
    expect(toErrorBody(new BadRequestException({ code: 'VALIDATION_FAILED', message: ['a', 'b'] }))).toMatchObject({
      statusCode: 400,
      message: 'a; b',
      code: 'VALIDATION_FAILED',
    });
    expect(toErrorBody(new InternalServerErrorException('db password is hunter2')).message).not.toContain('hunter2');
  });

  it('passes the problems of a refused input on by field, and nothing else in their place', () => {
    const errors = [
      { field: 'name', messages: ['name must be a string'] },
      { field: 'quantity', messages: ['quantity must be an integer number', 'quantity must not be less than 1'] },
    ];
    expect(toErrorBody(new BadRequestException({ code: 'VALIDATION_FAILED', message: 'x', errors }))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'x',
      code: 'VALIDATION_FAILED',
      errors,
    });
    expect(toErrorBody(new BadRequestException({ message: 'x', errors: [{ field: 1 }] }))).not.toHaveProperty('errors');
    expect(toErrorBody(new BadRequestException('x'))).not.toHaveProperty('errors');
  });

  it('turns unknown errors into a plain 500 with nothing of the internals', () => {
    const body = toErrorBody(new Error('relation "patients" does not exist at /srv/app.js:10'));
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'An unexpected error occurred' });
  });

  it('maps the Postgres errors a caller causes', () => {
    expect(toErrorBody({ driverError: { code: '23505' } }).statusCode).toBe(409);
    expect(toErrorBody({ driverError: { code: '22P02' } }).statusCode).toBe(400);
  });

  it('answers 503 when the database is unreachable or the pool is exhausted', () => {
    expect(toErrorBody(new Error('timeout exceeded when trying to connect')).statusCode).toBe(503);
    expect(toErrorBody(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).statusCode).toBe(503);
  });

  it('answers 503 DATABASE_UNAVAILABLE, with nothing of the internals, when the database times out, locks or is cut', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR', detail: 'relation patients' });
    // What TypeORM throws: its own error carrying the driver's.
    const typeorm = (driverError: Error) => Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError, query: 'update patients' });
    const cases = [
      typeorm(pgError('55P03', 'canceling statement due to lock timeout')),
      typeorm(pgError('57014', 'canceling statement due to statement timeout')),
      typeorm(new Error('Connection terminated')), // the query watchdog ended a connection nobody answered on
      typeorm(new Error('Connection terminated unexpectedly')),
      typeorm(new Error('Client was closed and is not queryable')),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      pgError('08006', 'connection failure'),
      Object.assign(new Error('connect EHOSTUNREACH 10.0.0.5:5432'), { code: 'EHOSTUNREACH' }),
    ];
    for (const err of cases) {
      const body = toErrorBody(err);
      expect({ message: err.message, body }).toEqual({
        message: err.message,
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'The service is busy or its database is unreachable; retry shortly',
          code: 'DATABASE_UNAVAILABLE',
        },
      });
    }
  });

  it('keeps the status of errors raised by Fastify itself', () => {
    expect(toErrorBody(Object.assign(new Error('Request body is too large'), { statusCode: 413 }))).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
    });
  });
});

describe('HttpErrorFilter', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  function reply() {
    const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
    const r = {
      status: (code: number) => ((sent.status = code), r),
      header: (name: string, value: string) => ((sent.headers[name] = value), r),
      send: (body: unknown) => ((sent.body = body), r),
    };
    const host = { switchToHttp: () => ({ getResponse: () => r }) } as unknown as ArgumentsHost;
    return { sent, host };
  }

  it('asks the caller to retry when the database is unavailable', () => {
    const { sent, host } = reply();
    new HttpErrorFilter().catch(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }), host);
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('1');
    expect(sent.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
  });

  it('sends no Retry-After with other errors, and a domain error\'s own when it has one', () => {
    const plain = reply();
    new HttpErrorFilter().catch(new Error('boom'), plain.host);
    expect(plain.sent.status).toBe(500);
    expect(plain.sent.headers['retry-after']).toBeUndefined();

    const limited = reply();
    new HttpErrorFilter().catch(new DomainError('RATE_LIMITED', 'Slow down', HttpStatus.TOO_MANY_REQUESTS, 7), limited.host);
    expect(limited.sent.headers['retry-after']).toBe('7');
  });
});
