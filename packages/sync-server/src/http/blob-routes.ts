/**
 * Attachments over HTTP: `PUT /v1/blobs?doc=<conversation>` stores a file by its SHA-256 for a
 * document the caller may write; `GET /v1/blobs/:hash` returns it to anyone who may read a
 * document that references it. Unknown and not-yours look the same (404), so hashes leak nothing.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseDocName } from '@parley/core';
import type { AppDeps, AppEnv } from './app.js';
import { authenticate } from './authenticate.js';
import { HttpError, badRequest, forbidden, notFound } from './errors.js';
import { authorize } from '../auth/access.js';
import { HASH_PATTERN } from '../accounts/blobs.js';

export interface BlobLimits {
  maxBytes: number;
  /** content types accepted; SVG and HTML are absent on purpose (they run script when opened) */
  types: readonly string[];
}

export const DEFAULT_BLOB_LIMITS: BlobLimits = {
  maxBytes: 10 * 1024 * 1024,
  types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'],
};

const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function blobRoutes(deps: AppDeps): Hono<AppEnv> {
  const limits = { ...DEFAULT_BLOB_LIMITS, ...deps.blobLimits };
  const routes = new Hono<AppEnv>();
  routes.use('*', authenticate(deps.tokens));

  routes.put(
    '/',
    function checkTarget(c, next) {
      const doc = c.req.query('doc');
      const kind = doc ? parseDocName(doc)?.kind : undefined;
      if (!doc || (kind !== 'conversation' && kind !== 'internal')) throw badRequest('doc must name a conversation document');
      if (authorize(c.var.principal, doc) !== 'rw') throw forbidden(`no write access to ${doc}`);
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!limits.types.includes(type)) throw new HttpError('unsupported_type', `content type must be one of ${limits.types.join(', ')}`);
      return next();
    },
    bodyLimit({
      maxSize: limits.maxBytes,
      onError: () => {
        throw new HttpError('too_large', `attachments are at most ${limits.maxBytes} bytes`);
      },
    }),
    async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.byteLength === 0) throw badRequest('empty body');
      const type = c.req.header('content-type')!.split(';')[0]!.trim().toLowerCase();
      const info = await deps.blobs.put(bytes, type, c.req.query('doc')!);
      return c.json({ ...info, url: `/v1/blobs/${info.hash}` }, 201);
    },
  );

  routes.get('/:hash', async (c) => {
    const hash = c.req.param('hash');
    const info = HASH_PATTERN.test(hash) ? deps.blobs.info(hash) : null;
    if (!info || !deps.blobs.docs(hash).some((doc) => authorize(c.var.principal, doc) !== null)) throw notFound('no such attachment');
    const bytes = await deps.blobs.read(hash);
    return c.body(bytes, 200, {
      'Content-Type': info.type,
      'Content-Length': String(bytes.byteLength),
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': INLINE.has(info.type) ? 'inline' : 'attachment',
      // Content-addressed: the bytes under a hash never change; private because access is per token.
      'Cache-Control': 'private, max-age=31536000, immutable',
    });
  });

  return routes;
}
