import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ListObservationsQuery } from '../dental/dto/observation.dto';
import { ListMedicinesQuery } from '../medicines/dto/medicine.dto';
import { ListPatientsQuery } from '../patients/dto/patient.dto';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageWindow } from './page';

describe('one page rule for every list', () => {
  it('defaults to one page size and offset 0', () => {
    expect(pageWindow({})).toEqual({ limit: DEFAULT_PAGE_SIZE, offset: 0 });
    expect(pageWindow({ limit: 5, offset: 10 })).toEqual({ limit: 5, offset: 10 });
  });

  it.each([
    ['patients', ListPatientsQuery],
    ['medicines', ListMedicinesQuery],
    ['dental observations', ListObservationsQuery],
  ] as const)('%s take the same limit and offset rules', (_name, Query) => {
    const problems = (raw: Record<string, string>) =>
      validateSync(plainToInstance(Query as new () => object, raw), { whitelist: true, forbidNonWhitelisted: true })
        .map((e) => e.property)
        .filter((p) => p === 'limit' || p === 'offset');
    expect(problems({ limit: String(MAX_PAGE_SIZE), offset: '0' })).toEqual([]);
    expect(problems({ limit: String(MAX_PAGE_SIZE + 1) })).toEqual(['limit']);
    expect(problems({ limit: '0' })).toEqual(['limit']);
    expect(problems({ offset: '-1' })).toEqual(['offset']);
  });
});
