import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { RefreshToken } from './user.entity';

/** A refresh token to store: live (unused, unrevoked). */
export type NewRefreshToken = Pick<RefreshToken, 'id' | 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>;

/** Refresh tokens, stored by the SHA-256 of the token (never the token). */
@Injectable()
export class RefreshTokensRepository {
  private readonly tokens: Repository<RefreshToken>;

  constructor(private readonly dataSource: DataSource) {
    this.tokens = dataSource.getRepository(RefreshToken);
  }

  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  /**
   * Spends a live token (unused, unrevoked, unexpired) and inserts its successor in one
   * statement: of concurrent presentations exactly one spends it, and when the insert fails the
   * token stays unspent. False when there was no live token to spend.
   */
  async rotate(tokenHash: string, next: NewRefreshToken): Promise<boolean> {
    const rows: { id: string }[] = await this.dataSource.query(
      `with spent as (
         update refresh_tokens set used_at = now()
          where token_hash = $1 and used_at is null and revoked_at is null and expires_at > now()
          returning user_id, family_id)
       insert into refresh_tokens (id, user_id, family_id, token_hash, expires_at)
       select $2, user_id, family_id, $3, $4 from spent where user_id = $5 and family_id = $6
       returning id`,
      [tokenHash, next.id, next.tokenHash, next.expiresAt, next.userId, next.familyId],
    );
    return rows.length === 1;
  }

  /**
   * Whether a spent token coming back is reuse rather than the loser of a concurrent refresh:
   * it was spent more than `raceWindowSeconds` ago, or its session has moved on since (a later
   * token of the family was spent or revoked).
   */
  async isReuse(tokenHash: string, raceWindowSeconds: number): Promise<boolean> {
    const [row]: { reuse: boolean }[] = await this.dataSource.query(
      `select t.used_at < now() - make_interval(secs => $2)
              or exists (select 1 from refresh_tokens o
                          where o.family_id = t.family_id and o.id <> t.id
                            and (o.used_at > t.used_at or o.revoked_at is not null)) as reuse
         from refresh_tokens t where t.token_hash = $1`,
      [tokenHash, raceWindowSeconds],
    );
    return row?.reuse ?? false;
  }

  async insert(token: NewRefreshToken): Promise<void> {
    await this.tokens.insert({ ...token, usedAt: null, revokedAt: null });
  }
}
