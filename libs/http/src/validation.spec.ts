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
