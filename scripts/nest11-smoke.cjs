// Run by check-package.mjs in a folder where Nest 11 (CommonJS) is installed: a guarded route
// through the CommonJS build of nestjs-opa to a real OPA. Exits non-zero on any surprise.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { OpaModule, Authorize, ResourceType } = require('nestjs-opa');

const opaUrl = process.argv[2];
const roles = { viewer: { permissions: ['task:read'] } };

class Repository {
  async loadContext(subject) {
    const bindings = subject.id === 'alice' ? [{ subject, role: 'viewer', scope: null }] : [];
    return { roles, bindings };
  }
}

class TasksController {
  read() {
    return { ok: true };
  }
}
const method = (decorator) =>
  decorator(
    TasksController.prototype,
    'read',
    Object.getOwnPropertyDescriptor(TasksController.prototype, 'read'),
  );
Controller('tasks')(TasksController);
ResourceType('Task')(TasksController);
method(Get(':id'));
method(Authorize('task:read'));

class AppModule {}
Module({
  imports: [
    OpaModule.forRoot({
      url: opaUrl,
      repository: Repository,
      auditLog: false,
      subjectResolver: (request) => {
        const id = request.headers['x-user'];
        return typeof id === 'string' ? { type: 'user', id } : undefined;
      },
    }),
  ],
  controllers: [TasksController],
})(AppModule);

(async () => {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const status = async (user) =>
    (await fetch(`${url}/tasks/t-1`, { headers: user ? { 'x-user': user } : {} })).status;
  const seen = { alice: await status('alice'), bob: await status('bob'), nobody: await status() };
  await app.close();
  const version = require('@nestjs/core/package.json').version;
  console.log(
    `ok   Nest ${version} (CommonJS): permit ${seen.alice}, deny ${seen.bob}, no user ${seen.nobody}`,
  );
  if (seen.alice !== 200 || seen.bob !== 403 || seen.nobody !== 401) process.exit(1);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
