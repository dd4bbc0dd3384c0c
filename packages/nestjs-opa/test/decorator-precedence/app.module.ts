import { Controller, Get, Module, Param } from '@nestjs/common';
import { Authorize, AuthorizeList, Public, ResourceType } from '../../src/index.js';
import { createFixturesAppModule, subjectFromHeader } from '../support/fixtures.js';

/** A public controller with one guarded handler: the handler's `@Authorize()` wins. */
@Public()
@Controller('open')
export class OpenController {
  @Get('ping')
  ping() {
    return { ok: true };
  }

  @Get(':id')
  @Authorize('task:read', { resource: 'Task' })
  read(@Param('id') id: string) {
    return { id };
  }
}

/** A guarded controller with one public handler: the handler's `@Public()` wins. */
@Authorize('task:read')
@ResourceType('Task')
@Controller('closed')
export class ClosedController {
  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }

  @Get(':id')
  read(@Param('id') id: string) {
    return { id };
  }
}

/** A handler's `@ResourceType()` names its resource, not the controller's. */
@Authorize('task:read')
@ResourceType('Task')
@Controller('typed')
export class TypedController {
  @Get('project/:id')
  @ResourceType('Project')
  project(@Param('id') id: string) {
    return { id };
  }
}

/** Contradictions: never settled toward "open". */
@Controller('both')
export class ContradictingHandlerController {
  @Get(':id')
  @Public()
  @Authorize('task:read', { resource: 'Task' })
  read(@Param('id') id: string) {
    return { id };
  }
}

@Public()
@Authorize('task:read')
@ResourceType('Task')
@Controller('contradicting')
export class ContradictingClassController {
  @Get('own/:id')
  @Authorize('task:read')
  own(@Param('id') id: string) {
    return { id };
  }

  @Get(':id')
  read(@Param('id') id: string) {
    return { id };
  }
}

/** A controller-wide list rule would let point handlers through undecided. */
@(AuthorizeList('task:read') as ClassDecorator)
@ResourceType('Task')
@Controller('listed')
export class ClassListController {
  @Get(':id')
  read(@Param('id') id: string) {
    return { id };
  }
}

@Module({
  controllers: [
    OpenController,
    ClosedController,
    ContradictingHandlerController,
    ContradictingClassController,
    ClassListController,
    TypedController,
  ],
})
class PrecedenceModule {}

export function createAppModule(opaUrl: string) {
  return createFixturesAppModule(
    { url: opaUrl, subjectResolver: subjectFromHeader, auditLog: false },
    PrecedenceModule,
  );
}
