/**
 * initdb inside WebAssembly takes seconds (tens of seconds on a busy machine). A fresh database
 * is therefore created from a template: the data directory of a freshly initialised PGlite,
 * dumped once per installed PGlite build to the OS temp directory and loaded from there.
 * Set SWITCHBOARD_PGLITE_TEMPLATE=off to always run initdb.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite, type Extensions } from '@electric-sql/pglite';
import { createLogger } from '../../observability/index.js';

const log = createLogger('store');

function templateFile(): string | null {
  if (process.env.SWITCHBOARD_PGLITE_TEMPLATE === 'off') return null;
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const st = statSync(entry);
    const key = createHash('sha256').update(`${entry}:${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 12);
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    return join(tmpdir(), `switchboard-pglite-${uid}-${key}.tar`);
  } catch {
    return null;
  }
}

/** True when dataDir is absent or holds no initialised cluster yet. */
function isFresh(dataDir: string | undefined): boolean {
  return dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
}

export async function createPglite(dataDir: string | undefined, extensions: Extensions): Promise<PGlite> {
  const base = { ...(dataDir ? { dataDir } : {}), extensions };
  const template = isFresh(dataDir) ? templateFile() : null;
  if (template && existsSync(template)) {
    try {
      return await PGlite.create({ ...base, loadDataDir: new Blob([readFileSync(template)]) });
    } catch (err) {
      log.warn('database template unusable; running initdb', { err });
      rmSync(template, { force: true });
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const pg = await PGlite.create(base);
  if (template && !existsSync(template)) {
    try {
      const dump = await pg.dumpDataDir('none');
      const partial = `${template}.${process.pid}.partial`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
      renameSync(partial, template); // atomic: readers never see half a file
    } catch (err) {
      log.warn('could not save the database template', { err });
    }
  }
  return pg;
}
