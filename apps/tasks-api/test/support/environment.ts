/** What the global setup hands to the test files, through environment variables. */
export const TestEnv = {
  /** The OPA started by the global setup, serving the engine and the sample's rules. */
  opaUrl: () => required('TASKS_API_TEST_OPA_URL'),
  /** A scratch directory removed by the global teardown. */
  scratchDir: () => required('TASKS_API_TEST_SCRATCH'),
  /** The throwaway PostgreSQL cluster's URL, or undefined when PostgreSQL is not installed. */
  postgresUrl: () => process.env.TASKS_API_TEST_POSTGRES_URL || undefined,
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's "app" project`);
  return value;
}
