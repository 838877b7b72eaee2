import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Repository } from 'typeorm';
import { violatedConstraint } from '@medgenie/database';
import { SigningKey, SIGNING_KEYS_ONE_ACTIVE } from './signing-key.entity';

export type NewSigningKey = Omit<SigningKey, 'createdAt'>;

/** The token signing keys: one active (retired_at null, held by a unique index), retired ones published for a while. */
@Injectable()
export class SigningKeysRepository {
  private readonly keys: Repository<SigningKey>;

  constructor(private readonly dataSource: DataSource) {
    this.keys = dataSource.getRepository(SigningKey);
  }

  hasActive(): Promise<boolean> {
    return this.keys.existsBy({ retiredAt: IsNull() });
  }

  /** Makes `key` the active key if there is none; false when another one is active (another instance made it first). */
  async insertFirst(key: NewSigningKey): Promise<boolean> {
    try {
      await this.keys.insert(key);
      return true;
    } catch (err) {
      if (violatedConstraint(err) === SIGNING_KEYS_ONE_ACTIVE) return false;
      throw err;
    }
  }

  findActive(): Promise<SigningKey> {
    return this.keys.findOneByOrFail({ retiredAt: IsNull() });
  }

  /** The active key and the retired ones still published, newest first. */
  listPublished(): Promise<SigningKey[]> {
    return this.keys.createQueryBuilder('k').where('k.publish_until is null or k.publish_until > now()').orderBy('k.created_at', 'DESC').getMany();
  }

  /**
   * Retires the active key (still published for `publishSeconds`) and makes `fresh` the active
   * one, in one transaction. The retired key's kid, or null when there was none.
   */
  rotate(fresh: NewSigningKey, publishSeconds: number): Promise<string | null> {
    return this.dataSource.transaction(async (m) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, count].
      const [rows]: [{ kid: string }[], number] = await m.query(
        `update signing_keys set retired_at = now(), publish_until = now() + make_interval(secs => $1)
          where retired_at is null returning kid`,
        [publishSeconds],
      );
      await m.getRepository(SigningKey).insert(fresh);
      return rows[0]?.kid ?? null;
    });
  }
}
