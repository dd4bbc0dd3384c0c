// One jest run for the whole repository, in native ESM (Nest 12 is ESM-only).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

export default {
  // Here, not per project: Jest ignores a project's testTimeout, so hooks that boot a whole app
  // (Apollo included) on a busy machine met the 5 s default.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      rootDir: 'packages/nestjs-opa',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      rootDir: 'packages/nestjs-opa',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'app',
      rootDir: 'apps/tasks-api',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      // The sample is tested against the library's current sources, not its last build.
      moduleNameMapper: {
        ...common.moduleNameMapper,
        '^nestjs-opa$': '<rootDir>/../../packages/nestjs-opa/src/index.ts',
        '^nestjs-opa/terminus$': '<rootDir>/../../packages/nestjs-opa/src/terminus/index.ts',
        '^nestjs-opa/(typeorm|prometheus|testing)$':
          '<rootDir>/../../packages/nestjs-opa/src/$1/index.ts',
      },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
