import { PassThrough } from 'node:stream';
import { artifactFileName, type Db, getArtifact, getOwnedJob, listArtifacts, type Storage } from '@bolt/data';
import Router from '@koa/router';
import archiver from 'archiver';
import type { Context } from 'koa';
import { HttpError, idParam, notFound } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';

/** Parses a single `bytes=` range against a size; undefined for none, 'unsatisfiable' when outside. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | 'unsatisfiable' {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (!m[1] && !m[2])) return undefined;
  const start = m[1] ? Number(m[1]) : Math.max(size - Number(m[2]), 0);
  const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export const artifactDocs: Record<string, RouteDoc> = {
  'GET /api/artifacts/:id': {
    summary: 'Download a file (HTTP Range supported)',
    status: [200, 206],
    produces: '*/*',
  },
  'GET /api/jobs/:id/bundle.zip': { summary: "All of a job's files as one zip", produces: 'application/zip' },
};

/** Artifact downloads (with HTTP Range) and the job's zip bundle, streamed without buffering. */
export function artifactRoutes(db: Db, storage: Storage): Router {
  const router = new Router();
  const owner = (ctx: Context) => ctx.state.user.id as string;

  router.get('/artifacts/:id', async (ctx) => {
    const artifact = await getArtifact(db, idParam(ctx.params.id, 'artifact'));
    if (!artifact || artifact.owner_id !== owner(ctx)) throw notFound('artifact');
    const size = Number(artifact.size);
    const range = parseRange(ctx.get('Range'), size);
    ctx.set('Accept-Ranges', 'bytes');
    ctx.set('Content-Disposition', `attachment; filename="${artifactFileName(artifact)}"`);
    ctx.type = artifact.content_type;
    if (range === 'unsatisfiable') {
      ctx.set('Content-Range', `bytes */${size}`);
      throw new HttpError(416, 'range_not_satisfiable', `Range outside 0-${size - 1}`);
    }
    if (range) {
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      ctx.length = range.end - range.start + 1;
    } else {
      ctx.length = size;
    }
    ctx.body = await storage.stream(artifact.storage_key, range);
  });

  router.get('/jobs/:id/bundle.zip', async (ctx) => {
    const job = await getOwnedJob(db, owner(ctx), idParam(ctx.params.id, 'job'));
    if (!job) throw notFound('job');
    const artifacts = await listArtifacts(db, job.id);
    if (artifacts.length === 0) throw new HttpError(409, 'no_artifacts', 'This job has no files yet');
    const zip = archiver('zip', { zlib: { level: 6 } });
    const out = new PassThrough();
    zip.on('error', (err) => out.destroy(err));
    zip.pipe(out);
    ctx.type = 'application/zip';
    ctx.set('Content-Disposition', `attachment; filename="bolt-${job.id}.zip"`);
    ctx.body = out;
    void (async () => {
      for (const a of artifacts) {
        // MP3s are already compressed: store them as they are.
        zip.append(await storage.stream(a.storage_key), {
          name: artifactFileName(a),
          store: a.kind === 'audio',
        });
      }
      await zip.finalize();
    })().catch((err) => out.destroy(err));
  });
  return router;
}
