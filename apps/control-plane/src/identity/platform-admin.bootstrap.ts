import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';

/** Creates the first platform admin from PLATFORM_ADMIN_EMAIL/PASSWORD when that user does not exist. */
@Injectable()
export class PlatformAdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(PlatformAdminBootstrap.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.platformAdmin;
    if (!admin) return;
    const email = admin.email.toLowerCase();
    const exists = await this.dataSource.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email }).getExists();
    if (exists) return;
    await this.dataSource.query(
      `insert into users (id, email, password_hash, name, organization_id, role, status) values ($1, $2, $3, 'Platform admin', null, 'platform_admin', 'active')
       on conflict do nothing`,
      [randomUUID(), email, await this.hasher.hash(admin.password)],
    );
    this.logger.log({ email }, 'platform admin created');
  }
}
