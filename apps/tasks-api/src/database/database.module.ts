import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app.config.js';
import { typeOrmOptions } from './database.config.js';
import { DatabaseSeeder } from './database.seeder.js';

/** The TypeORM connection (embedded sql.js or PostgreSQL), seeded on first start. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        typeOrmOptions(config.getOrThrow<AppConfig>(APP_CONFIG)),
    }),
  ],
  providers: [DatabaseSeeder],
})
export class DatabaseModule {}
