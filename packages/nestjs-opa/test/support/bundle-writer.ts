import { createHash, createPrivateKey, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * Writes a bundle archive the way `opa build` does (ustar in gzip, `.signatures.json` holding one
 * ES256 JWS over every file's hash), for the cases the build refuses to make: tampered files,
 * a broken module, a missing signature. JSON files must be given in canonical form.
 */
export function writeBundle(
  files: Record<string, Buffer | string>,
  options: { privateKey?: string; sign?: boolean; extra?: Record<string, Buffer | string> } = {},
): Buffer {
  const entries = Object.entries(files).map(([name, body]) => [name, Buffer.from(body)] as const);
  if (options.sign !== false && options.privateKey) {
    const payload = {
      files: entries.map(([name, body]) => ({
        name,
        hash: createHash('sha256').update(body).digest('hex'),
        algorithm: 'SHA-256',
      })),
    };
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${encode({ alg: 'ES256', typ: 'JWT' })}.${encode(payload)}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: createPrivateKey(options.privateKey),
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    entries.push([
      '.signatures.json',
      Buffer.from(JSON.stringify({ signatures: [`${signingInput}.${signature}`] })),
    ]);
  }
  for (const [name, body] of Object.entries(options.extra ?? {})) {
    entries.push([name, Buffer.from(body)]);
  }
  const blocks: Buffer[] = [];
  for (const [name, body] of entries) {
    blocks.push(
      tarHeader(`/${name}`, body.length),
      body,
      Buffer.alloc((512 - (body.length % 512)) % 512),
    );
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000600\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}
