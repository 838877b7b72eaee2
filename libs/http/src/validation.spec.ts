import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Min, ValidateNested, getMetadataStorage, validate } from 'class-validator';
import { createValidationPipe } from './validation';

class Line {
  @IsString() @Length(1, 10) dosage: string;
}

class Base {
  @IsString() name: string;
}

class Order extends Base {
  @IsInt() @Min(1) quantity: number;

  @ValidateNested({ each: true }) @Type(() => Line) lines: Line[];
}

class Grouped {
  @IsString({ groups: ['strict'] }) code: unknown;
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const meta = { type: 'body' as const, metatype: Order };
  const reject = async (body: unknown) => {
    const err = await pipe.transform(body, meta).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadRequestException);
    return ((err as BadRequestException).getResponse() as { message: string }).message;
  };

  it('applies own, inherited and nested rules, the same on every call (rules are looked up once per class)', async () => {
    for (let i = 0; i < 3; i += 1) {
      const ok = await pipe.transform({ name: 'Rx', quantity: 2, lines: [{ dosage: '1 tab' }] }, meta);
      expect(ok).toBeInstanceOf(Order);
      expect(ok.lines[0]).toBeInstanceOf(Line);
      expect(await reject({ name: 7, quantity: 2, lines: [] })).toContain('name must be a string');
      expect(await reject({ name: 'Rx', quantity: 0, lines: [] })).toContain('quantity must not be less than 1');
      expect(await reject({ name: 'Rx', quantity: 1, lines: [{ dosage: 'much too long a dosage' }] })).toContain('lines.0.dosage must be');
      expect(await reject({ name: 'Rx', quantity: 1, lines: [], extra: true })).toContain('property extra is not allowed');
    }
  });

  it('reports every problem: every field, every constraint, nested and unknown fields too, in message and by field', async () => {
    const err = await pipe.transform({ name: 7, quantity: 0.5, lines: [{ dosage: '' }], extra: true }, meta).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadRequestException);
    const body = (err as BadRequestException).getResponse() as { code: string; message: string; errors: { field: string; messages: string[] }[] };
    expect(body.code).toBe('VALIDATION_FAILED');
    const byField = Object.fromEntries(body.errors.map((e) => [e.field, e.messages]));
    expect(Object.keys(byField).sort()).toEqual(['extra', 'lines.0.dosage', 'name', 'quantity']);
    expect(byField.name).toEqual(['name must be a string']);
    expect(byField.quantity).toEqual(expect.arrayContaining(['quantity must be an integer number', 'quantity must not be less than 1']));
    expect(byField['lines.0.dosage']).toEqual(['lines.0.dosage must be longer than or equal to 1 characters']);
    expect(byField.extra).toEqual(['property extra is not allowed']);
    expect(body.message.split('; ').sort()).toEqual(body.errors.flatMap((e) => e.messages).sort());
  });

  it('keeps one answer per option set: groups still select their rules', async () => {
    const value = Object.assign(new Grouped(), { code: 5 });
    const inGroup = async (group: string) =>
      (await validate(value, { groups: [group], forbidUnknownValues: false })).map((e) => Object.keys(e.constraints ?? {}));
    expect(await inGroup('strict')).toEqual([['isString']]);
    expect(await inGroup('other')).toEqual([]);
    expect(await inGroup('strict')).toEqual([['isString']]);
  });

  it('answers from memory once a class has been validated', async () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Order, '', false, false);
    expect(first.map((m) => m.propertyName)).toEqual(expect.arrayContaining(['name', 'quantity', 'lines']));
    expect(storage.getTargetValidationMetadatas(Order, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });
});
