// Marks a CommonJS build output folder so Node loads its .js files as CommonJS
// even though the package itself is "type": "module".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: mark-cjs.mjs <dist/cjs folder>');
  process.exit(1);
}
writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
