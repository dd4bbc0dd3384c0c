import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICIES, opaBinary } from '../../../../scripts/opa-server.mjs';

const MARKER = 'PARITY-INPUT';

/**
 * Every input the Rego tests evaluate with, as the tests compute it: a copy of the policies where
 * each `with input as <term>` becomes `with input as _parity_capture(<term>)`, a function that
 * prints its argument, run with `opa test -v`. Inputs built by helpers and comprehensions are
 * captured as evaluated, not as written.
 */
export function regoTestInputs(workDir: string): unknown[] {
  // The engine's tests and the sample's, each directory copied as it is loaded.
  const copies = DEFAULT_POLICIES.map((dir, i) => {
    const copy = join(workDir, `captured-policies-${i}`);
    cpSync(dir, copy, { recursive: true });
    return copy;
  });
  for (const file of copies.flatMap(testFiles)) {
    const source = readFileSync(file, 'utf8');
    const rewritten = SKIPPED_TESTS.reduce(
      (text, name) => text.replace(new RegExp(`^${name} if`, 'm'), `todo_${name} if`),
      wrapInputTerms(source),
    );
    if (rewritten === source) continue;
    writeFileSync(
      file,
      `${rewritten}\n\n_parity_capture(x) := x if print("${MARKER}", json.marshal(x))\n`,
    );
  }
  let output: string;
  try {
    output = execFileSync(opaBinary(), ['test', '-v', '-z', '--timeout', '120s', ...copies], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
  } catch (error) {
    // The suite passes as written, so a failure here is a broken rewrite: show what failed.
    const report = String((error as { stdout?: string }).stdout ?? error)
      .split('\n')
      .filter((line) => /FAIL|ERROR|error/.test(line));
    throw new Error(`opa test on the captured copy failed:\n${report.join('\n')}`);
  }
  const inputs = new Map<string, unknown>();
  for (const line of output.split('\n')) {
    const at = line.indexOf(`${MARKER} `);
    if (at === -1) continue;
    const json = line.slice(at + MARKER.length + 1).trim();
    inputs.set(json, JSON.parse(json));
  }
  return [...inputs.values()];
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('_test.rego'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Helpers left as they are: `_point_permit` merges each bulk query into its shared input and is
 * called thousands of times; the parity test derives the same point inputs from the captured
 * bulk inputs instead.
 */
const UNWRAPPED_RULES = new Set(['_point_permit']);
/**
 * Tests not run in the capture: with print statements compiled in, this one (9 x 7 bulk inputs
 * of 95 queries, each checked against point decisions) exceeds two minutes on a shared box.
 * Its shapes (scopes, permission wildcards, odd actions and resources) are in the generated
 * matrix of the parity test instead.
 */
const SKIPPED_TESTS = ['test_decisions_match_point_decisions'];

/** Wraps each `with input as <term>`; the term ends at a top-level `with`, `;`, closer or EOL. */
export function wrapInputTerms(source: string): string {
  const needle = 'with input as ';
  let out = '';
  let from = 0;
  for (let at = source.indexOf(needle); at !== -1; at = source.indexOf(needle, from)) {
    const start = at + needle.length;
    const end = termEnd(source, start);
    const rule = [...source.slice(0, at).matchAll(/^([A-Za-z_]\w*)/gm)].pop()?.[1];
    if (rule && UNWRAPPED_RULES.has(rule)) {
      out += source.slice(from, end);
      from = end;
      continue;
    }
    out += `${source.slice(from, start)}_parity_capture(${source.slice(start, end).trimEnd()})`;
    from = end;
  }
  return out + source.slice(from);
}

function termEnd(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === '\\') i++;
    } else if (c === '`') {
      i = source.indexOf('`', i + 1);
    } else if ('([{'.includes(c)) {
      depth++;
    } else if (')]}'.includes(c)) {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0 && (c === '\n' || c === ';' || source.startsWith(' with ', i))) {
      return i;
    }
  }
  return source.length;
}
