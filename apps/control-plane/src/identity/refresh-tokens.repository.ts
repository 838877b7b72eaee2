import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Repository } from 'typeorm';
import { RefreshToken } from './user.entity';

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
   * Spends a live token (unused, unrevoked, unexpired) in one statement, so of two concurrent
   * presentations only one gets it. Its user and family; null when there was no live token.
   */
  async spend(tokenHash: string): Promise<{ userId: string; familyId: string } | null> {
    const [rows]: [{ user_id: string; family_id: string }[], number] = await this.dataSource.query(
      `update refresh_tokens set used_at = now()
        where token_hash = $1 and used_at is null and revoked_at is null and expires_at > now()
        returning user_id, family_id`,
      [tokenHash],
    );
    const used = rows[0];
    return used ? { userId: used.user_id, familyId: used.family_id } : null;
  }

  async insert(token: Omit<RefreshToken, 'createdAt'>): Promise<void> {
    await this.tokens.insert(token);
  }

  /** Revokes every live token of the family (the session). */
  async revokeFamily(familyId: string): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}
