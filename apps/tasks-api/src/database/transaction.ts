import type { DataSource, EntityManager } from 'typeorm';

/** The transaction last started on each embedded database; the next one waits for it. */
const lastOnEmbedded = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in a transaction. The embedded sql.js database is one connection with no nested
 * transactions ("cannot start a transaction within a transaction" under concurrent writes), so
 * there its transactions run one after another; PostgreSQL's pool runs them side by side.
 */
export function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (dataSource.options.type !== 'sqljs') return dataSource.transaction(work);
  const previous = lastOnEmbedded.get(dataSource) ?? Promise.resolve();
  const result = previous.then(() => dataSource.transaction(work));
  lastOnEmbedded.set(
    dataSource,
    result.catch(() => undefined),
  );
  return result;
}
