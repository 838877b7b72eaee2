/** This feature's TypeORM entities, listed in database/entities.ts. */
export const dentalEntities: (new () => object)[] = [];
