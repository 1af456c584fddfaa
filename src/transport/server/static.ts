// Serves the browser page: a fixed whitelist of files read once at startup, so no request path can
// reach anything else on disk (no traversal, no directory listing).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PAGE_CSP } from './http-headers.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export class StaticFiles {
  private readonly files = new Map<string, { body: Buffer; type: string }>();

  constructor(root: string) {
    let names: string[] = [];
    try {
      names = readdirSync(root);
    } catch {
      // No page directory: the API still works, `/` answers 404.
    }
    for (const name of names) {
      const p = join(root, name);
      const type = TYPES[extname(name)];
      if (!type || !statSync(p).isFile()) continue;
      this.files.set('/' + name, { body: readFileSync(p), type });
    }
    const index = this.files.get('/index.html');
    if (index) this.files.set('/', index);
  }

  get size(): number {
    return this.files.size;
  }

  /** Answers GET/HEAD for a known file; returns false when the path is not ours. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const f = this.files.get(pathname);
    if (!f) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    res.writeHead(200, {
      'content-type': f.type,
      'content-length': f.body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // The page only talks to its own origin; everything it loads is local.
      'content-security-policy': PAGE_CSP,
    });
    res.end(req.method === 'HEAD' ? undefined : f.body);
    return true;
  }
}
