/** Every message the library shows to clients or writes to logs, in one place. */
export const OpaMessages = {
  accessDenied: 'Access denied',
  decisionUnavailable: 'Authorization decision unavailable',
  notAuthenticated: 'Authentication required',
  noPolicy: 'Route has no @Authorize() or @Public() decorator',
  unsupportedContext: (type: string) =>
    `Access denied: the authorization guard does not know "${type}" calls (it decides http, graphql, ws and rpc)`,
  listOnField:
    '@AuthorizeList() on a GraphQL field resolver is denied: it filters a list query, use @Authorize() on fields',
  microserviceUnguarded: (transports: string[]) =>
    `${transports.length} connected microservice(s) do not get the global PolicyGuard, so their message handlers run without any authorization check; connect them with { inheritAppConfig: true }:\n  ${transports.join('\n  ')}`,
  ambiguousPolicy: (reason: string) => `Route is denied: its decorators contradict (${reason})`,
  ambiguousRoutes: (routes: string[]) =>
    `${routes.length} route(s) have contradicting authorization decorators and will always answer 403:\n  ${routes.join('\n  ')}`,
  duplicateRule: 'One @Authorize() or @AuthorizeList() per handler or controller',
  connectionFailed: (url: string) => `OPA at ${url} could not be reached`,
  timedOut: (url: string, ms: number) => `OPA at ${url} did not answer within ${ms} ms`,
  badStatus: (status: number) => `OPA answered with HTTP ${status}`,
  circuitOpen: (url: string) =>
    `OPA at ${url} has been failing; not calling it until a probe succeeds`,
  overloaded: (limit: number, queue: number) =>
    `Too many decisions at once: ${limit} in flight to OPA and ${queue} queued; not queueing more`,
  queueTimedOut: (ms: number) => `No free slot to call OPA within ${ms} ms; not calling it`,
  noFreeConnection: (connections: number) =>
    `Every connection to OPA (${connections}) stayed busy until the deadline: more decisions in flight than \`connections\``,
  stalled: (ms: number) =>
    `The deadline fired ${ms} ms late: this process was too busy to read OPA's answer`,
  failOpen: (route: string) =>
    `FAIL-OPEN: ${route} is allowed WITHOUT an authorization decision because OPA could not answer`,
  invalidBody: 'OPA answered with a body that is not valid JSON',
  bodyTooLarge: (limit: number) => `OPA answered with a body larger than ${limit} bytes`,
  unprotectedRoutes: (routes: string[]) =>
    `${routes.length} route(s) or handler(s) have neither @Authorize() nor @Public() and will always answer 403:\n  ${routes.join('\n  ')}`,
  missingResourceType: (handler: string) =>
    `${handler}: @Authorize() needs a resource type (the "resource" option or a class-level @ResourceType())`,
  missingRepository:
    'No AuthzRepository is registered: pass `repository` to OpaModule.forRoot() or provide the AuthzRepository token',
  wasmBundleSource:
    "OpaModule: engine 'wasm' needs wasm.bundle with exactly one of `file` or `url`",
  wasmPublicKey:
    "OpaModule: engine 'wasm' needs wasm.bundle.publicKey (PEM): unsigned bundles are never used",
  wasmNotReady: 'No verified policy bundle is active yet',
  noServer: "No OPA server is configured (engine 'wasm' without `url`)",
  noFilterServer:
    "compileFilter needs an OPA server: engine 'wasm' cannot partially evaluate; set `url`",
  listRoutesWithoutServer: (routes: string[]) =>
    `OpaModule: engine 'wasm' without \`url\` cannot filter lists (Wasm has no partial evaluation). Set \`url\` to an OPA server for these @AuthorizeList() route(s):\n  ${routes.join('\n  ')}`,
  invalidResourceId: 'Invalid resource id',
  resourceNotFound: (type: string) => `${type} not found`,
} as const;
