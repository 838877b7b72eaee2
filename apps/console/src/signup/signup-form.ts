import { ApiError } from '../api/client';
import type { Region, SignupBody } from '../api/types';

export type Field = keyof SignupBody;
export const FIELDS: Field[] = ['organizationName', 'slug', 'regionId', 'adminName', 'adminEmail', 'adminPassword', 'clinicName'];

/** Which field a refusal is about: class-validator names the property first; domain errors by code. */
const FIELD_OF_CODE: Record<string, Field> = {
  SLUG_TAKEN: 'slug',
  SLUG_RESERVED: 'slug',
  SLUG_LOOKALIKE: 'slug',
  EMAIL_TAKEN: 'adminEmail',
  WEAK_PASSWORD: 'adminPassword',
  UNKNOWN_REGION: 'regionId',
};

export function fieldErrors(error: ApiError): { fields: Partial<Record<Field, string>>; other: string[] } {
  const fields: Partial<Record<Field, string>> = {};
  const other: string[] = [];
  if (error.code && FIELD_OF_CODE[error.code]) {
    fields[FIELD_OF_CODE[error.code]] = error.message;
    return { fields, other };
  }
  const raw = error.body?.message;
  const messages = Array.isArray(raw) ? raw.map(String) : [error.message];
  for (const message of messages) {
    const field = FIELDS.find((f) => message.startsWith(`${f} `));
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
    else other.push(message);
  }
  return { fields, other };
}

/** A DNS label from an organization's name: "Apollo Hospitals" -> "apollo-hospitals". */
export function slugFrom(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off their letters: "í" -> "i"
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Where an organization answers: `<slug>.<region domain>`, the local domain when the console is local. */
export function organizationUrl(slug: string, region: Region, location: Pick<Location, 'protocol' | 'hostname' | 'port'>): string {
  const local = location.hostname === 'localhost' || location.hostname.endsWith('.localhost');
  const port = location.port ? `:${location.port}` : '';
  return `${location.protocol}//${slug}.${local ? region.localDomain : region.domain}${port}/`;
}
