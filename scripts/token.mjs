// `npm run -s token -- <id> [--type token]`: prints a development JWT for a subject, and nothing else,
// so it can be used as TOKEN=$(npm run -s token -- alice).
import { parseArgs } from 'node:util';
import { SUBJECT_TYPES, signDevToken } from './dev-keys.mjs';

const usage = 'usage: npm run -s token -- <subject-id> [--type user|token]';

try {
  const { values, positionals } = parseArgs({
    options: { type: { type: 'string', default: 'user' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1 || !SUBJECT_TYPES.includes(values.type)) throw new Error(usage);
  process.stdout.write(`${await signDevToken(positionals[0], { type: values.type })}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  if (!String(error?.message).startsWith('usage:')) process.stderr.write(`${usage}\n`);
  process.exit(2);
}
