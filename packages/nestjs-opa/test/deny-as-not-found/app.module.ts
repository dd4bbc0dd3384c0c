import { Controller, Get, Module, Param } from '@nestjs/common';
import { Authorize, ResourceType } from '../../src/index.js';
import { createFixturesAppModule, subjectFromHeader } from '../support/fixtures.js';

/** Routes that choose for themselves, whatever the module says. */
@ResourceType('Task')
@Controller('per-route')
export class PerRouteController {
  @Get('hidden/:id')
  @Authorize('task:read', { denyAsNotFound: true })
  hidden(@Param('id') id: string) {
    return { id };
  }

  @Get('shown/:id')
  @Authorize('task:read', { denyAsNotFound: false })
  shown(@Param('id') id: string) {
    return { id };
  }
}

@Module({ controllers: [PerRouteController] })
class PerRouteModule {}

/** `forRoot` with `denyAsNotFound` on or off for the whole module. */
export function createAppModule(opaUrl: string, denyAsNotFound: boolean) {
  return createFixturesAppModule(
    { url: opaUrl, subjectResolver: subjectFromHeader, denyAsNotFound },
    PerRouteModule,
  );
}
