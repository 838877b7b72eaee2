import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Asks the database whether it answers, over the application's own pool. */
@Injectable()
export class HealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('select 1');
  }
}
