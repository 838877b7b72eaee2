import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { PasswordHasher } from './password-hasher';
import { UsersRepository } from './users.repository';

/** Creates the first platform admin from PLATFORM_ADMIN_EMAIL/PASSWORD when that user does not exist. */
@Injectable()
export class PlatformAdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(PlatformAdminBootstrap.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.platformAdmin;
    if (!admin) return;
    const email = admin.email.toLowerCase();
    if (await this.users.existsByEmail(email)) return;
    // Another instance may create it at the same moment: the first one stays.
    await this.users.insertIfAbsent({
      id: randomUUID(),
      email,
      passwordHash: await this.hasher.hash(admin.password),
      name: 'Platform admin',
      organizationId: null,
      role: 'platform_admin',
      status: 'active',
    });
    this.logger.log({ email }, 'platform admin created');
  }
}
