// Renders every kustomize overlay in k8s/overlays and validates each document offline against the
// Kubernetes API schemas of the `kubernetes-models` package, strictly:
//   1. the model's JSON-schema validation (types, required fields, enums, formats);
//   2. unknown fields: the schemas leave `additionalProperties` open, so a typo such as
//      `imagePullPolice` would pass (1). Each document is therefore also type-checked as an object
//      literal of the model's TypeScript interface, whose excess-property check rejects any field
//      the API does not define, at any depth;
//   3. the OPA sidecar's configuration: the pinned OPA is started with each overlay's rendered
//      config and arguments, and must come up without an "unknown configuration option" warning;
//   4. exposure: a Service in front of tasks-api targets the app port alone; the app serves
//      metrics on its own `metrics` port; OPA's API listens on loopback; every NetworkPolicy
//      rule names its ports, and a rule admitting any port but the app's names its peers by
//      namespace and pod label (no ipBlock, no open `from`).
// A negative self-test runs first: deliberately bad manifests must fail, or the run fails; the
// exposure check is also run on broken copies of the first overlay, which must fail.
// Usage: node scripts/validate-k8s.mjs (npm run k8s:validate). Needs Go once, to build kustomize.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { ROOT, freePort, opaBinary } from './opa-server.mjs';

const OVERLAYS_DIR = join(ROOT, 'k8s', 'overlays');
// Inside node_modules, so the generated files resolve `kubernetes-models` like the repo does.
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'validate-k8s');

function fail(message) {
  console.error(`validate-k8s: ${message}`);
  process.exit(1);
}

/** `apps/v1` + `Deployment` → the kubernetes-models module path; undefined for unknown kinds. */
function modelPath(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^\w+$/.test(kind)) return;
  const path = `kubernetes-models/${apiVersion}/${kind}`;
  return existsSync(join(ROOT, 'node_modules', `${path}.d.ts`)) ? path : undefined;
}

const label = (doc) => `${doc?.kind ?? '?'}/${doc?.metadata?.name ?? '?'}`;

/**
 * Validates documents; returns one message per problem (empty when all are valid).
 * @param {{ source: string, doc: any }[]} items
 */
export async function validateDocuments(items) {
  const problems = [];
  const typed = [];
  for (const [index, { source, doc }] of items.entries()) {
    const where = `${source}: ${label(doc)}`;
    const path = modelPath(doc?.apiVersion, doc?.kind);
    if (!path) {
      // Strict: a kind without a schema is an error, not a silent pass.
      problems.push(`${where}: no schema for apiVersion ${doc?.apiVersion} kind ${doc?.kind}`);
      continue;
    }
    const Model = (await import(path))[doc.kind];
    try {
      new Model(doc).validate();
    } catch (error) {
      problems.push(`${where}: ${error.message}`);
    }
    typed.push({ where, path, kind: doc.kind, doc, file: join(CACHE_DIR, `doc${index}.ts`) });
  }
  problems.push(...checkUnknownFields(typed));
  return problems;
}

/** Type-checks each document as `const doc: I<Kind> = {...}`: excess properties are errors. */
function checkUnknownFields(typed) {
  if (typed.length === 0) return [];
  rmSync(CACHE_DIR, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  for (const { path, kind, doc, file } of typed) {
    const literal = JSON.stringify(doc, null, 2);
    writeFileSync(
      file,
      `import type { I${kind} } from '${path}';\nexport const doc: I${kind} = ${literal};\n`,
    );
  }
  const program = ts.createProgram(
    typed.map((t) => t.file),
    {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: [],
    },
  );
  const byFile = new Map(typed.map((t) => [t.file, t.where]));
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file) return `typescript: ${message}`;
    const line = d.file.getLineAndCharacterOfPosition(d.start ?? 0).line;
    const text = d.file.text.split('\n')[line].trim();
    return `${byFile.get(d.file.fileName) ?? d.file.fileName}: ${message} (at ${text})`;
  });
}

/** A valid Deployment, and copies of it broken in ways the validator must catch. */
function selfTestCases() {
  const good = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'self-test' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { containers: [{ name: 'x', image: 'x', securityContext: { runAsNonRoot: true } }] },
      },
    },
  };
  const broken = (mutate) => {
    const doc = structuredClone(good);
    mutate(doc);
    return doc;
  };
  return {
    good,
    bad: {
      'a typo in a nested field': broken((d) => {
        d.spec.template.spec.containers[0].imagePullPolice = 'Always';
      }),
      'an unknown top-level field': broken((d) => {
        d.specs = {};
      }),
      'a wrong type': broken((d) => {
        d.spec.replicas = 'three';
      }),
      'a value outside an enum': broken((d) => {
        d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
      }),
      'a missing required field': broken((d) => {
        delete d.spec.template.spec.containers[0].name;
      }),
      'an unknown kind': { apiVersion: 'v1', kind: 'Podd', metadata: { name: 'x' } },
    },
  };
}

async function selfTest() {
  const { good, bad } = selfTestCases();
  const goodProblems = await validateDocuments([{ source: 'self-test', doc: good }]);
  if (goodProblems.length > 0) fail(`self-test: a valid manifest was rejected:\n${goodProblems}`);
  for (const [what, doc] of Object.entries(bad)) {
    const problems = await validateDocuments([{ source: 'self-test', doc }]);
    if (problems.length === 0) fail(`self-test: a manifest with ${what} was accepted`);
  }
  console.log(`validate-k8s: self-test ok (${Object.keys(bad).length} bad manifests rejected)`);
}

const APP_LABEL = 'tasks-api';
const selects = (selector) => selector?.['app.kubernetes.io/name'] === APP_LABEL;

/** Problems with what the tasks-api pods expose, and to whom (4. in the header). */
export function checkExposure(source, docs) {
  const problems = [];
  const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === APP_LABEL);
  const pod = deployment?.spec.template.spec;
  const app = pod?.containers.find((c) => c.name === 'app');
  if (!app) return [`${source}: no app container in Deployment/${APP_LABEL}`];
  const metricsPort = app.ports?.find((p) => p.name === 'metrics')?.containerPort;
  const env = Object.fromEntries((app.env ?? []).map((e) => [e.name, e.value]));
  if (metricsPort === undefined) problems.push(`${source}: the app container has no metrics port`);
  else if (String(env.METRICS_PORT) !== String(metricsPort))
    problems.push(`${source}: METRICS_PORT ${env.METRICS_PORT} is not the metrics port`);
  const opaAddr = pod.initContainers
    ?.find((c) => c.name === 'opa')
    ?.args?.find((a) => a.startsWith('--addr='));
  if (opaAddr !== '--addr=127.0.0.1:8181')
    problems.push(`${source}: OPA's API must listen on 127.0.0.1:8181 only, got ${opaAddr}`);

  for (const service of docs.filter((d) => d.kind === 'Service' && selects(d.spec?.selector))) {
    for (const port of service.spec.ports ?? []) {
      if (port.targetPort !== 'http')
        problems.push(`${source}: Service/${service.metadata.name} exposes ${port.targetPort}`);
    }
  }

  const policies = docs.filter(
    (d) => d.kind === 'NetworkPolicy' && selects(d.spec?.podSelector?.matchLabels),
  );
  if (!policies.some((p) => p.spec.policyTypes?.includes('Ingress')))
    problems.push(`${source}: no NetworkPolicy restricts ingress to ${APP_LABEL}`);
  for (const policy of policies) {
    for (const [i, rule] of (policy.spec.ingress ?? []).entries()) {
      const where = `${source}: NetworkPolicy/${policy.metadata.name} ingress[${i}]`;
      if (!rule.ports?.length) {
        problems.push(`${where} admits every port`);
        continue;
      }
      if (rule.ports.every((p) => p.port === 'http')) continue;
      const peers = rule.from ?? [];
      if (
        peers.length === 0 ||
        peers.some((p) => p.ipBlock || !p.namespaceSelector || !p.podSelector)
      )
        problems.push(`${where} admits ${rule.ports.map((p) => p.port)} beyond labelled pods`);
    }
  }
  return problems;
}

/** Broken copies of an overlay's documents that {@link checkExposure} must reject. */
function exposureSelfTest(source, docs) {
  const broken = (mutate) => {
    const copy = structuredClone(docs);
    mutate(copy);
    return copy;
  };
  const find = (all, kind) => all.find((d) => d.kind === kind && d.metadata.name === APP_LABEL);
  const cases = {
    'a Service port to metrics': broken((all) =>
      find(all, 'Service').spec.ports.push({ name: 'm', port: 9464, targetPort: 'metrics' }),
    ),
    'metrics admitted from anywhere': broken((all) => {
      for (const rule of find(all, 'NetworkPolicy').spec.ingress) delete rule.from;
    }),
    'a rule without ports': broken((all) => find(all, 'NetworkPolicy').spec.ingress.push({})),
    "OPA's API on every interface": broken((all) => {
      const args = find(all, 'Deployment').spec.template.spec.initContainers[0].args;
      args[args.indexOf('--addr=127.0.0.1:8181')] = '--addr=0.0.0.0:8181';
    }),
  };
  for (const [what, copy] of Object.entries(cases)) {
    if (checkExposure(source, copy).length === 0)
      fail(`self-test: the exposure check accepted ${what}`);
  }
  console.log(`validate-k8s: exposure self-test ok (${Object.keys(cases).length} cases rejected)`);
}

function kustomize() {
  execFileSync('bash', [join(ROOT, 'scripts', 'install-k8s-tools.sh')], { stdio: 'inherit' });
  return join(ROOT, '.tools', 'bin', 'kustomize');
}

/**
 * Starts the pinned OPA with an overlay's rendered sidecar config and arguments (addresses and
 * paths moved to a temp dir) and checks that it becomes healthy with no unknown config option.
 */
async function checkOpaConfig(source, docs) {
  const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'tasks-api');
  const sidecar = deployment?.spec.template.spec.initContainers?.find((c) => c.name === 'opa');
  if (!sidecar) return [`${source}: no OPA sidecar in Deployment/tasks-api`];
  const configMapName = deployment.spec.template.spec.volumes.find((v) => v.name === 'opa-config')
    ?.configMap?.name;
  const config = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === configMapName)
    ?.data?.['config.yaml'];
  if (!config) return [`${source}: the opa-config ConfigMap ${configMapName} has no config.yaml`];

  const dir = mkdtempSync(join(tmpdir(), 'validate-k8s-opa-'));
  const [api, diagnostic] = [await freePort(), await freePort()];
  const mounts = { '/config/': `${dir}/`, '/keys/': `${dir}/`, '/var/opa': `${dir}/persist` };
  const local = (value) =>
    Object.entries(mounts).reduce((v, [from, to]) => v.replaceAll(from, to), value);
  writeFileSync(join(dir, 'config.yaml'), local(config));
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const args = sidecar.args.map((arg) =>
    arg.startsWith('--addr=')
      ? `--addr=127.0.0.1:${api}`
      : arg.startsWith('--diagnostic-addr=')
        ? `--diagnostic-addr=127.0.0.1:${diagnostic}`
        : local(arg),
  );
  let output = '';
  const child = spawn(opaBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const problems = [];
  try {
    let healthy = false;
    for (let i = 0; i < 100 && !healthy && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      healthy = await fetch(`http://127.0.0.1:${diagnostic}/health`)
        .then((r) => r.ok)
        .catch(() => false);
    }
    if (!healthy) problems.push(`${source}: OPA did not start with this config:\n${output}`);
    for (const line of output.split('\n')) {
      if (/unknown configuration option|invalid configuration/i.test(line))
        problems.push(`${source}: OPA config: ${line}`);
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

async function main() {
  await selfTest();
  const bin = kustomize();
  const overlays = readdirSync(OVERLAYS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(OVERLAYS_DIR, e.name));
  if (overlays.length === 0) fail(`no overlays in ${OVERLAYS_DIR}`);
  let failed = 0;
  for (const overlay of overlays) {
    const source = relative(ROOT, overlay);
    let rendered;
    try {
      rendered = execFileSync(bin, ['build', overlay], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      console.error(`FAIL ${source}: kustomize build failed\n${error.stderr}`);
      failed++;
      continue;
    }
    const parsed = parseAllDocuments(rendered);
    const yamlErrors = parsed.flatMap((d) => d.errors.map((e) => `${source}: ${e.message}`));
    const docs = parsed.map((d) => d.toJS()).filter((d) => d !== null);
    if (overlay === overlays[0]) exposureSelfTest(source, docs);
    const problems = [
      ...yamlErrors,
      ...(await validateDocuments(docs.map((doc) => ({ source, doc })))),
      ...(await checkOpaConfig(source, docs)),
      ...checkExposure(source, docs),
    ];
    if (problems.length > 0) {
      failed++;
      console.error(`FAIL ${source}: ${problems.length} problem(s)`);
      for (const problem of problems) console.error(`  ${problem}`);
    } else {
      console.log(`ok   ${source}: ${docs.map(label).join(', ')}`);
    }
  }
  rmSync(CACHE_DIR, { recursive: true, force: true });
  if (failed > 0) fail(`${failed} of ${overlays.length} overlay(s) failed`);
  console.log(`validate-k8s: ${overlays.length} overlay(s) rendered and valid`);
}

await main();
