import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

/** Serves whatever bundle is current, with an ETag; 503 while there is none, like a fresh CDN. */
export class BundleServer {
  requests = 0;
  /** The `If-None-Match` of the latest request. */
  lastIfNoneMatch: string | undefined;
  private bundle: { body: Buffer; etag: string } | undefined;
  private readonly server: Server = createServer((req, res) => {
    this.requests++;
    this.lastIfNoneMatch = req.headers['if-none-match'];
    if (!this.bundle) {
      res.writeHead(503).end();
    } else if (req.headers['if-none-match'] === this.bundle.etag) {
      res.writeHead(304, { etag: this.bundle.etag }).end();
    } else {
      res
        .writeHead(200, { 'content-type': 'application/gzip', etag: this.bundle.etag })
        .end(this.bundle.body);
    }
  });

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  serve(file: string | Buffer, etag: string): void {
    this.bundle = {
      body: typeof file === 'string' ? readFileSync(file) : file,
      etag: `"${etag}"`,
    };
  }

  /** Back to answering 503, as before the first bundle. */
  clear(): void {
    this.bundle = undefined;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
