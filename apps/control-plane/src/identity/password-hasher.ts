import { Inject, Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';

/**
 * argon2id, with OWASP's Password Storage Cheat Sheet parameters by default: 19 MiB of memory,
 * 2 iterations, 1 degree of parallelism (configurable upwards).
 */
@Injectable()
export class PasswordHasher {
  private readonly options: { memoryCost: number; timeCost: number; parallelism: number; algorithm: 2 };
  private dummy?: Promise<string>;

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.options = { ...config.argon2, algorithm: 2 }; // 2 = Argon2id
  }

  hash(password: string): Promise<string> {
    return hash(password, this.options);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Spends the same time as a real check, so an unknown email cannot be told apart by timing. */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash('medgenie-timing-equalizer');
    await this.verify(await this.dummy, password);
    return false;
  }
}
