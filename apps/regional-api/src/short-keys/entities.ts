import { ShortKey, ShortKeyItem } from './short-key.entity';

/** This feature's TypeORM entities, listed in database/entities.ts. */
export const shortKeyEntities: (new () => object)[] = [ShortKey, ShortKeyItem];
