import { gunzipSync } from 'node:zlib';

/**
 * Reads an OPA bundle (`.tar.gz`) into memory: path (without a leading `/`) -> bytes. Only
 * regular files are kept; links, devices and anything odd reject the whole bundle, and so does
 * a size past `maxBytes` (compressed or not), so a hostile archive cannot exhaust memory.
 */
export function readBundleArchive(archive: Buffer, maxBytes: number): Map<string, Buffer> {
  if (archive.length > maxBytes) throw new Error(`bundle is larger than ${maxBytes} bytes`);
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: maxBytes });
  } catch (error) {
    throw new Error(`bundle is not a gzip archive within ${maxBytes} bytes`, { cause: error });
  }
  const files = new Map<string, Buffer>();
  let longName: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (body.length !== size) throw new Error('bundle archive is truncated');
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      // PAX extended header (Go writes one for long names): only `path` matters here.
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'g' || type === '5') continue;
    if (type !== '0' && type !== '\0') throw new Error(`bundle holds a non-file entry (${type})`);
    const name = longName ?? readName(header);
    longName = undefined;
    const path = name.replace(/^\/+/, '');
    if (path === '' || path.split('/').includes('..')) throw new Error(`bad path "${name}"`);
    if (files.has(path)) throw new Error(`bundle holds "${path}" twice`);
    files.set(path, Buffer.from(body));
  }
  return files;
}

function readName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const prefix = cString(header.subarray(345, 500));
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function parseOctal(bytes: Buffer): number {
  const text = cString(bytes).trim();
  const value = text === '' ? 0 : parseInt(text, 8);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error('bundle archive is malformed');
  return value;
}
