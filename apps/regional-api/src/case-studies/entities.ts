import { CaseStudy } from './case-study.entity';

/** This feature's TypeORM entities, listed in database/entities.ts (link rows are written with SQL). */
export const caseStudyEntities: (new () => object)[] = [CaseStudy];
