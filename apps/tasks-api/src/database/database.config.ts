import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authzEntities } from '../authz/authz.entities.js';
import type { AppConfig } from '../config/app.config.js';
import { TaskChange } from '../tasks/task-change.entity.js';
import { Task } from '../tasks/task.entity.js';

export const entities = [...authzEntities, Task, TaskChange];

/** File name of the embedded database inside `DATA_DIR`. */
export const EMBEDDED_DATABASE_FILE = 'tasks-api.sqlite';

/**
 * PostgreSQL when `DATABASE_URL` is set; otherwise SQLite compiled to Wasm (sql.js), kept in a
 * file under `DATA_DIR` and saved after every write, so the sample runs with nothing installed.
 * The schema comes from the entities (`synchronize`), which suits a sample; use migrations in an
 * application with data worth keeping. Schema changes here must upgrade an existing database in
 * place: add columns nullable or with a default (`tasks.created_by_type` is NULL on older rows).
 */
export function typeOrmOptions(config: AppConfig): TypeOrmModuleOptions {
  const common = { entities, synchronize: true, retryAttempts: 2, retryDelay: 1000 } as const;
  if (config.databaseUrl) {
    return { ...common, type: 'postgres', url: config.databaseUrl, connectTimeoutMS: 5000 };
  }
  mkdirSync(config.dataDir, { recursive: true });
  return {
    ...common,
    type: 'sqljs',
    location: join(config.dataDir, EMBEDDED_DATABASE_FILE),
    autoSave: true,
  };
}
