import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { seedDatabase } from './seed.js';

/** Seeds a fresh database at startup, so the sample has subjects and tasks to try. */
@Injectable()
export class DatabaseSeeder implements OnModuleInit {
  private readonly logger = new Logger(DatabaseSeeder.name);

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (await seedDatabase(this.dataSource)) {
      this.logger.log('Empty database: seeded the sample roles, subjects and tasks');
    }
  }
}
