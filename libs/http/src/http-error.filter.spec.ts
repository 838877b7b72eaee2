import { BadRequestException, HttpStatus, InternalServerErrorException } from '@nestjs/common';
import { DomainError } from './domain-error';
import { toErrorBody } from './http-error.filter';

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

  it('keeps the status of errors raised by Fastify itself', () => {
    expect(toErrorBody(Object.assign(new Error('Request body is too large'), { statusCode: 413 }))).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
    });
  });
});
