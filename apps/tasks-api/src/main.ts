import 'reflect-metadata';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { APP_CONFIG, type AppConfig } from './config/app.config.js';
import { MetricsServer } from './metrics/metrics.server.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot());
  app.disable('x-powered-by');
  // Closes the database (sql.js saves its file) and the OPA connection pool on SIGINT/SIGTERM.
  app.enableShutdownHooks();
  const { port, host } = app.get(ConfigService).getOrThrow<AppConfig>(APP_CONFIG);
  await app.listen(port, host);
  console.log(`tasks-api listening on http://${host}:${port}`);
  console.log(`tasks-api metrics on ${app.get(MetricsServer).url}`);
}

void bootstrap();
