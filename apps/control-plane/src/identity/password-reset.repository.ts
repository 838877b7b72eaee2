import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** password_reset_tokens: each token stored as its SHA-256 (hex), never the token. */
@Injectable()
export class PasswordResetRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a new token for the user and spends every earlier unused one, in one transaction with
   * the user's row locked, so of two requests at the same moment only the later token stays live.
   */
  async replace(token: { id: string; userId: string; tokenHash: string; ttlMinutes: number }): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query('select 1 from users where id = $1 for update', [token.userId]);
      await m.query('update password_reset_tokens set used_at = now() where user_id = $1 and used_at is null', [token.userId]);
      await m.query(
        `insert into password_reset_tokens (id, user_id, token_hash, expires_at) values ($1, $2, $3, now() + make_interval(mins => $4))`,
        [token.id, token.userId, token.tokenHash, token.ttlMinutes],
      );
    });
  }

  /** The user of a live token (unused, unexpired), without spending it; null when there is none. */
  async findLiveUser(tokenHash: string): Promise<string | null> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      'select user_id from password_reset_tokens where token_hash = $1 and used_at is null and expires_at > now()',
      [tokenHash],
    );
    return rows[0]?.user_id ?? null;
  }

  /**
   * Spends the token, if it is still live and the user's, and gives the user the new password in
   * the same transaction: no longer a temporary one, and the lockout cleared (a locked account
   * gets back in by a reset). The spending is one conditional update, so of concurrent
   * confirmations exactly one gets true. False when the token was not live.
   */
  async spendAndSetPassword(tokenHash: string, userId: string, passwordHash: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const [spent]: [{ user_id: string }[], number] = await m.query(
        `update password_reset_tokens set used_at = now()
          where token_hash = $1 and user_id = $2 and used_at is null and expires_at > now()
          returning user_id`,
        [tokenHash, userId],
      );
      if (spent.length !== 1) return false;
      await m.query(
        `update users set password_hash = $2, must_change_password = false, password_changed_at = now(),
                failed_logins = 0, locked_until = null, updated_at = now()
          where id = $1`,
        [userId, passwordHash],
      );
      return true;
    });
  }
}
