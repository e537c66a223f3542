/**
 * SQL of the knowledge base: upserting articles with their weighted tsvector, full-text search
 * ranked by ts_rank (works the same on Postgres and PGlite), and the optional pgvector side
 * (detected at run time; never required).
 */
import type { Queryable } from '../../src/toolkit/index.js';

export interface ArticleUpsert {
  id: string;
  title: string;
  category: string;
  tags: string;
  body: string;
  sourceFile: string;
  contentHash: string;
  updatedOn: string | null;
}

export async function indexedHashes(db: Queryable): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; content_hash: string }>('SELECT id, content_hash FROM kb_articles');
  return new Map(rows.map((r) => [r.id, r.content_hash]));
}

/** Title weighs most (A), then tags (B), then the body (C). */
export async function upsertArticle(db: Queryable, a: ArticleUpsert): Promise<void> {
  await db.query(
    `INSERT INTO kb_articles (id, title, category, tags, body, source_file, content_hash, updated_on, search, indexed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date,
             setweight(to_tsvector('english', $2), 'A') || setweight(to_tsvector('english', $4), 'B')
               || setweight(to_tsvector('english', $3), 'B') || setweight(to_tsvector('english', $5), 'C'),
             now())
     ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, category = EXCLUDED.category, tags = EXCLUDED.tags,
       body = EXCLUDED.body, source_file = EXCLUDED.source_file, content_hash = EXCLUDED.content_hash,
       updated_on = EXCLUDED.updated_on, search = EXCLUDED.search, indexed_at = now()`,
    [a.id, a.title, a.category, a.tags, a.body, a.sourceFile, a.contentHash, a.updatedOn],
  );
}

export async function countArticles(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kb_articles');
  return rows[0]?.n ?? 0;
}

export async function deleteArticles(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('DELETE FROM kb_articles WHERE id = ANY($1::text[])', [ids]);
}

export interface FtsHit {
  id: string;
  title: string;
  category: string;
  body: string;
  rank: number;
  /** How many of the query's distinct lexemes the article contains. */
  matched_terms: number;
  query_terms: number;
}

/**
 * Any-word match (the query's lexemes OR-ed) ranked by ts_rank, so a natural spoken question
 * still finds the article; `matched_terms` lets the caller demand more than one stray word.
 */
const FTS_SQL = `
WITH terms AS (
  SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', $1))
), q AS (
  SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS query, count(*)::int AS n FROM terms
)
SELECT a.id, a.title, a.category, a.body, ts_rank(a.search, q.query)::float8 AS rank,
       (SELECT count(*)::int FROM terms t WHERE a.search @@ quote_literal(t.lexeme)::tsquery) AS matched_terms,
       q.n AS query_terms
  FROM kb_articles a, q
 WHERE q.n > 0 AND a.search @@ q.query
 ORDER BY rank DESC, a.id
 LIMIT $2`;

export async function searchFts(db: Queryable, text: string, limit: number): Promise<FtsHit[]> {
  const { rows } = await db.query<FtsHit>(FTS_SQL, [text, limit]);
  return rows.map((r) => ({ ...r, rank: Number(r.rank), matched_terms: Number(r.matched_terms), query_terms: Number(r.query_terms) }));
}

export async function getArticles(db: Queryable, ids: readonly string[]): Promise<Omit<FtsHit, 'rank' | 'matched_terms' | 'query_terms'>[]> {
  const { rows } = await db.query<{ id: string; title: string; category: string; body: string }>(
    'SELECT id, title, category, body FROM kb_articles WHERE id = ANY($1::text[])', [ids],
  );
  return rows;
}

export async function existingArticleIds(db: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>('SELECT id FROM kb_articles WHERE id = ANY($1::text[])', [ids]);
  return rows.map((r) => r.id);
}

// ---- optional vectors (pgvector) ------------------------------------------------------------

/** Whether the `vector` extension is installed, or could be (then it is created). */
export async function ensureVectorExtension(db: Queryable): Promise<boolean> {
  const installed = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
  if (installed.rows.length > 0) return true;
  const available = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
  if (available.rows.length === 0) return false;
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public');
    return true;
  } catch {
    return false;
  }
}

export async function ensureEmbeddingTable(db: Queryable, dimensions: number): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions > 16000) throw new Error(`bad embedding dimensions ${dimensions}`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS kb_embeddings (
       article_id   text PRIMARY KEY REFERENCES kb_articles (id) ON DELETE CASCADE,
       content_hash text NOT NULL,
       model        text NOT NULL,
       embedding    vector(${dimensions}) NOT NULL
     )`,
  );
}

export async function staleEmbeddings(db: Queryable, model: string): Promise<{ id: string; title: string; body: string; content_hash: string }[]> {
  const { rows } = await db.query<{ id: string; title: string; body: string; content_hash: string }>(
    `SELECT a.id, a.title, a.body, a.content_hash FROM kb_articles a
       LEFT JOIN kb_embeddings e ON e.article_id = a.id
      WHERE e.article_id IS NULL OR e.content_hash <> a.content_hash OR e.model <> $1
      ORDER BY a.id`,
    [model],
  );
  return rows;
}

export const vectorLiteral = (v: readonly number[]): string => `[${v.map((x) => (Number.isFinite(x) ? x : 0)).join(',')}]`;

export async function upsertEmbedding(db: Queryable, articleId: string, contentHash: string, model: string, embedding: readonly number[]): Promise<void> {
  await db.query(
    `INSERT INTO kb_embeddings (article_id, content_hash, model, embedding) VALUES ($1, $2, $3, $4::vector)
     ON CONFLICT (article_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, model = EXCLUDED.model, embedding = EXCLUDED.embedding`,
    [articleId, contentHash, model, vectorLiteral(embedding)],
  );
}

export async function searchVectors(db: Queryable, embedding: readonly number[], model: string, limit: number): Promise<{ id: string; similarity: number }[]> {
  const { rows } = await db.query<{ id: string; similarity: number }>(
    `SELECT article_id AS id, (1 - (embedding <=> $1::vector))::float8 AS similarity
       FROM kb_embeddings WHERE model = $2 ORDER BY embedding <=> $1::vector LIMIT $3`,
    [vectorLiteral(embedding), model, limit],
  );
  return rows.map((r) => ({ id: r.id, similarity: Number(r.similarity) }));
}
