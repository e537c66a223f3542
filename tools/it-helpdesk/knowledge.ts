/**
 * Retrieval over the IT knowledge base (`verticals/<id>/knowledge/*.md`, YAML front matter with
 * an `id: KB-0001`). Articles are indexed into Postgres full-text search; each row keeps a content
 * hash so re-indexing touches only articles that changed, and removes articles whose file is gone.
 *
 * Hybrid search (full text + embeddings, fused by reciprocal rank) is used only when the database
 * has pgvector AND an embedder is configured (OPENAI_API_KEY); otherwise full text alone. Answers
 * below the relevance bar come back as `found: false` so the agent says it does not know.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createLogger } from '../../src/observability/index.js';
import { AppError, describeError, formatIssues } from '../../src/shared/index.js';
import type { Db, Queryable } from '../../src/toolkit/index.js';
import { embedderFromEnv, type Embedder } from './embeddings.js';
import {
  countArticles, deleteArticles, ensureEmbeddingTable, ensureVectorExtension, getArticles, indexedHashes, searchFts, searchVectors, staleEmbeddings,
  upsertArticle, upsertEmbedding, type FtsHit,
} from './knowledgeRepository.js';

/** Bump when the way articles are indexed changes, so every article is re-indexed once. */
export const INDEX_VERSION = 'kb-index-v1';
/** ts_rank below this (with the default weights) is not an answer. Calibrated on the shipped articles. */
export const MIN_FTS_RANK = 0.15;
/** Secondary hits must reach this fraction of the best rank (drops weakly related articles). */
export const MIN_RELATIVE_RANK = 0.35;
/** Cosine similarity an embedding match needs to count as an answer on its own. */
export const MIN_VECTOR_SIMILARITY = 0.5;
const RRF_K = 60;

const log = createLogger('tools:knowledge');

const frontMatterSchema = z.strictObject({
  id: z.string().regex(/^KB-\d{4}$/, 'must look like KB-0001'),
  title: z.string().min(3),
  category: z.string().min(2),
  tags: z.array(z.string().min(1)).default([]),
  updated: z.union([z.string(), z.date()]).optional(),
});

export interface KnowledgeArticle {
  id: string;
  title: string;
  category: string;
  tags: string[];
  updated: string | null;
  body: string;
  sourceFile: string;
  contentHash: string;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Parses one article; `file` only names it in errors. */
export function parseArticle(text: string, file: string): KnowledgeArticle {
  const m = FRONT_MATTER.exec(text);
  if (!m) throw new AppError('KNOWLEDGE_INVALID', `${file}: missing YAML front matter (--- id: KB-0001 … ---)`);
  let raw: unknown;
  try {
    raw = parseYaml(m[1]!);
  } catch (err) {
    throw new AppError('KNOWLEDGE_INVALID', `${file}: front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const fm = frontMatterSchema.safeParse(raw);
  if (!fm.success) {
    throw new AppError('KNOWLEDGE_INVALID', `${file}: ${formatIssues(fm.error.issues, { root: 'front matter', limit: 1 })}`);
  }
  const body = m[2]!.trim();
  if (body.length < 20) throw new AppError('KNOWLEDGE_INVALID', `${file}: the article body is empty`);
  const updated = fm.data.updated instanceof Date ? fm.data.updated.toISOString().slice(0, 10) : fm.data.updated ?? null;
  return {
    id: fm.data.id, title: fm.data.title, category: fm.data.category, tags: fm.data.tags,
    updated: updated && /^\d{4}-\d{2}-\d{2}$/.test(updated) ? updated : null,
    body, sourceFile: basename(file),
    contentHash: createHash('sha256').update(INDEX_VERSION).update('\0').update(text).digest('hex'),
  };
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.md') && !f.startsWith('.') && f.toLowerCase() !== 'readme.md').sort();
}

/** Every article of a directory; two files with one id is an error. */
export function readKnowledgeDir(dir: string): KnowledgeArticle[] {
  const articles = markdownFiles(dir).map((f) => parseArticle(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  const seen = new Map<string, string>();
  for (const a of articles) {
    const prev = seen.get(a.id);
    if (prev) throw new AppError('KNOWLEDGE_INVALID', `${a.id} is used by both ${prev} and ${a.sourceFile}`);
    seen.set(a.id, a.sourceFile);
  }
  return articles;
}

export interface ReindexReport {
  /** Articles written because they were new or changed. */
  indexed: string[];
  unchanged: number;
  /** Articles deleted because their file is gone. */
  removed: string[];
  mode: RetrievalMode;
  /** Articles whose embedding was (re)computed (hybrid mode only). */
  embedded: number;
}

export type RetrievalMode = 'fts' | 'hybrid';

export interface KnowledgeOptions {
  /** Embeddings provider; undefined → from the environment (OPENAI_API_KEY), null → none. */
  embedder?: Embedder | null;
  signal?: AbortSignal;
}

const modes = new WeakMap<Queryable, Promise<RetrievalMode>>();

/** Hybrid only when pgvector is present in this database and there is an embedder. Cached per Db. */
export function detectRetrievalMode(db: Queryable, embedder: Embedder | null): Promise<RetrievalMode> {
  if (!embedder) return Promise.resolve('fts');
  let mode = modes.get(db);
  if (!mode) {
    mode = (async () => {
      if (!(await ensureVectorExtension(db))) return 'fts' as const;
      await ensureEmbeddingTable(db, embedder.dimensions);
      return 'hybrid' as const;
    })();
    modes.set(db, mode);
    mode.catch(() => modes.delete(db));
  }
  return mode;
}

const resolveEmbedder = (options: KnowledgeOptions): Embedder | null =>
  options.embedder === undefined ? embedderFromEnv() : options.embedder;

/** Brings the index in line with the directory: new and changed articles in, deleted ones out. */
export async function reindexKnowledge(db: Db, dir: string, options: KnowledgeOptions = {}): Promise<ReindexReport> {
  const articles = readKnowledgeDir(dir);
  const known = await indexedHashes(db);
  const changed = articles.filter((a) => known.get(a.id) !== a.contentHash);
  const present = new Set(articles.map((a) => a.id));
  const removed = [...known.keys()].filter((id) => !present.has(id)).sort();
  if (changed.length > 0 || removed.length > 0) {
    await db.transaction(async (tx) => {
      for (const a of changed) {
        await upsertArticle(tx, {
          id: a.id, title: a.title, category: a.category, tags: a.tags.join(', '), body: a.body,
          sourceFile: a.sourceFile, contentHash: a.contentHash, updatedOn: a.updated,
        });
      }
      await deleteArticles(tx, removed);
    });
  }
  const embedder = resolveEmbedder(options);
  const mode = await detectRetrievalMode(db, embedder);
  let embedded = 0;
  if (mode === 'hybrid' && embedder) {
    // Full text is already up to date; a failing embeddings API only delays the vector side.
    try {
      const stale = await staleEmbeddings(db, embedder.model);
      for (let i = 0; i < stale.length; i += 32) {
        const batch = stale.slice(i, i + 32);
        const vectors = await embedder.embed(batch.map((a) => `${a.title}\n\n${a.body}`), options.signal);
        for (const [k, a] of batch.entries()) await upsertEmbedding(db, a.id, a.content_hash, embedder.model, vectors[k]!);
        embedded += batch.length;
      }
    } catch (err) {
      log.warn('could not embed knowledge articles; full-text search still works', { error: describeError(err) });
    }
  }
  return { indexed: changed.map((a) => a.id).sort(), unchanged: articles.length - changed.length, removed, mode, embedded };
}

// ---- keeping the index fresh ----------------------------------------------------------------

const REPO_VERTICALS_DIR = fileURLToPath(new URL('../../verticals/', import.meta.url));

/** `<verticals>/<vertical>/knowledge`, where verticals is SWITCHBOARD_VERTICALS_DIR or the repository's. */
export function knowledgeDirFor(vertical: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SWITCHBOARD_VERTICALS_DIR ? resolve(env.SWITCHBOARD_VERTICALS_DIR) : REPO_VERTICALS_DIR;
  return join(root, vertical, 'knowledge');
}

/** Names, sizes and modification times: a cheap way to notice that an article file changed. */
function fingerprint(dir: string): string {
  return markdownFiles(dir).map((f) => {
    const s = statSync(join(dir, f));
    return `${f}:${s.size}:${s.mtimeMs}`;
  }).join('|');
}

const freshness = new WeakMap<Queryable, Map<string, { print: string; articles: number }>>();

/**
 * Re-indexes when the directory looks different from the last time this process indexed it
 * into this database (start-up counts as different), or when the table no longer holds what was
 * indexed (a re-created schema). Cheap when nothing changed: a stat per file and one count.
 */
export async function ensureKnowledgeIndexed(db: Db, dir: string, options: KnowledgeOptions = {}): Promise<ReindexReport | null> {
  const print = fingerprint(dir);
  let seen = freshness.get(db);
  if (!seen) {
    seen = new Map();
    freshness.set(db, seen);
  }
  const last = seen.get(dir);
  if (last?.print === print && (await countArticles(db)) === last.articles) return null;
  const report = await reindexKnowledge(db, dir, options);
  seen.set(dir, { print, articles: report.indexed.length + report.unchanged });
  return report;
}

// ---- search -------------------------------------------------------------------------------------

export interface KnowledgeHit {
  id: string;
  title: string;
  category: string;
  body: string;
  /** 0..1, comparable within one search. */
  score: number;
}

export interface KnowledgeSearch {
  found: boolean;
  mode: RetrievalMode;
  hits: KnowledgeHit[];
}

/** Strips what is not words so the query is safe to turn into a tsquery. */
export function cleanQuery(text: string): string {
  return text.replace(/[\\'"`]/g, ' ').replace(/[^\p{L}\p{N}\s.-]/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** A full-text hit is an answer when it ranks well and more than one stray word matched. */
export function isConfidentFtsHit(h: Pick<FtsHit, 'rank' | 'matched_terms' | 'query_terms'>): boolean {
  const needed = Math.min(2, h.query_terms);
  return h.rank >= MIN_FTS_RANK && h.matched_terms >= needed;
}

/** Reciprocal rank fusion of two ranked id lists. */
export function fuseRankings(lists: readonly (readonly string[])[], k = RRF_K): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const list of lists) list.forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1)));
  return [...scores.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

export async function searchKnowledge(db: Db, query: string, limit = 3, options: KnowledgeOptions = {}): Promise<KnowledgeSearch> {
  const text = cleanQuery(query);
  const embedder = resolveEmbedder(options);
  const mode = await detectRetrievalMode(db, embedder);
  if (!text) return { found: false, mode, hits: [] };
  const fts = await searchFts(db, text, 10);
  const confident = fts.filter(isConfidentFtsHit).filter((h, _, all) => h.rank >= all[0]!.rank * MIN_RELATIVE_RANK);
  if (mode === 'fts' || !embedder) {
    const top = confident.slice(0, limit);
    const best = top[0]?.rank ?? 1;
    return {
      found: top.length > 0, mode: 'fts',
      hits: top.map((h) => ({ id: h.id, title: h.title, category: h.category, body: h.body, score: round(h.rank / best) })),
    };
  }
  let vec: { id: string; similarity: number }[];
  try {
    const [qv] = await embedder.embed([text], options.signal);
    vec = await searchVectors(db, qv!, embedder.model, 10);
  } catch (err) {
    log.warn('vector search failed; answering from full text', { error: describeError(err) });
    vec = [];
  }
  const strongVec = vec.filter((v) => v.similarity >= MIN_VECTOR_SIMILARITY);
  const fused = fuseRankings([confident.map((h) => h.id), strongVec.map((v) => v.id)]).slice(0, limit);
  if (fused.length === 0) return { found: false, mode, hits: [] };
  const rows = new Map((await getArticles(db, fused.map((f) => f.id))).map((r) => [r.id, r]));
  const best = fused[0]!.score;
  return {
    found: true, mode,
    hits: fused.flatMap((f) => {
      const r = rows.get(f.id);
      return r ? [{ id: r.id, title: r.title, category: r.category, body: r.body, score: round(f.score / best) }] : [];
    }),
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;
