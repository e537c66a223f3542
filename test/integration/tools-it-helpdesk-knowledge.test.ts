/**
 * The IT knowledge base against real Postgres and PGlite: indexing by content hash, re-indexing
 * only what changed, lazy refresh from the search tool, ranked full-text answers with citations,
 * `found: false` below the bar, and retrieval-mode detection (no pgvector here → full text).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itHelpdeskTools } from '../../tools/it-helpdesk/index.js';
import { detectRetrievalMode, knowledgeDirFor, reindexKnowledge, searchKnowledge } from '../../tools/it-helpdesk/knowledge.js';
import { OpenAIEmbedder, type Embedder } from '../../tools/it-helpdesk/embeddings.js';
import type { AnyToolDefinition } from '../../src/toolkit/types.js';
import {
  openVerticalDb, pgliteTarget, postgresTarget, runTool, testCall, type StoreTarget, type VerticalTestDb,
} from './tools-healthcare.helpers.js';

const SETUP_TIMEOUT_MS = 120_000;
const SHIPPED = knowledgeDirFor('it-helpdesk', {});
const NOW = new Date('2030-03-04T16:00:00Z');

const searchTool = itHelpdeskTools.find((t) => t.name === 'it_search_knowledge') as AnyToolDefinition;

/** An embedder that must never be called when pgvector is missing. */
const unusedEmbedder: Embedder = {
  model: 'fake', dimensions: 8,
  async embed() {
    throw new Error('embed() called without pgvector');
  },
};

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('IT knowledge base on $name', (target) => {
  let t: VerticalTestDb;
  let root: string;
  let dir: string;

  beforeAll(async () => {
    t = await openVerticalDb('it-helpdesk', target);
    root = mkdtempSync(join(tmpdir(), 'verticals-'));
    dir = join(root, 'it-helpdesk', 'knowledge');
    cpSync(SHIPPED, dir, { recursive: true });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
    await t.close();
  });

  it('indexes every article once, then only what changed, and removes deleted ones', async () => {
    const first = await reindexKnowledge(t.db, dir, { embedder: null });
    expect(first.indexed.length).toBeGreaterThanOrEqual(20);
    expect(first).toMatchObject({ unchanged: 0, removed: [], mode: 'fts' });

    const again = await reindexKnowledge(t.db, dir, { embedder: null });
    expect(again).toMatchObject({ indexed: [], unchanged: first.indexed.length, removed: [] });

    const file = join(dir, 'KB-0009-printer.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('follow-me printing', 'follow-me printing (badge release)'));
    const edited = await reindexKnowledge(t.db, dir, { embedder: null });
    expect(edited.indexed).toEqual(['KB-0009']);

    unlinkSync(join(dir, 'KB-0022-meeting-room-display.md'));
    const removed = await reindexKnowledge(t.db, dir, { embedder: null });
    expect(removed).toMatchObject({ indexed: [], removed: ['KB-0022'] });
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM kb_articles');
    expect(rows[0]).toEqual({ n: first.indexed.length - 1 });
  });

  it.each([
    ['my vpn keeps dropping', 'KB-0005'],
    ['how do I connect to the vpn from home', 'KB-0004'],
    ['I forgot my password', 'KB-0001'],
    ['my account is locked', 'KB-0002'],
    ['new phone for the authenticator', 'KB-0003'],
    ['the second monitor is not working with the dock', 'KB-0013'],
    ['I clicked a link in a phishing email', 'KB-0016'],
    ['bitlocker is asking for a recovery key', 'KB-0019'],
  ])('ranks the right article first for "%s"', async (query, id) => {
    const res = await searchKnowledge(t.db, query, 3, { embedder: null });
    expect(res.found).toBe(true);
    expect(res.hits[0]!.id).toBe(id);
    expect(res.hits[0]!.score).toBe(1);
  });

  it.each(['what is on the cafeteria menu today', 'can you fix the coffee machine', 'how do I book a vacation day', 'salary slip', '?!'])(
    'says it does not know for "%s"', async (query) => {
      const res = await searchKnowledge(t.db, query, 3, { embedder: null });
      expect(res).toEqual({ found: false, mode: 'fts', hits: [] });
    },
  );

  it('uses full text alone without an embedder, and without pgvector even with one', async () => {
    expect(await detectRetrievalMode(t.db, null)).toBe('fts');
    const { rows } = await t.db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
    if (rows.length > 0) return; // this database could do hybrid search; the full-text-only case is above
    expect(await detectRetrievalMode(t.db, unusedEmbedder)).toBe('fts');
    const res = await searchKnowledge(t.db, 'printer offline', 3, { embedder: unusedEmbedder });
    expect(res).toMatchObject({ found: true, mode: 'fts' });
  });

  describe('it_search_knowledge', () => {
    let previous: string | undefined;
    beforeAll(() => {
      previous = process.env.SWITCHBOARD_VERTICALS_DIR;
      process.env.SWITCHBOARD_VERTICALS_DIR = root;
    });
    afterAll(() => {
      if (previous === undefined) delete process.env.SWITCHBOARD_VERTICALS_DIR;
      else process.env.SWITCHBOARD_VERTICALS_DIR = previous;
    });

    it('answers with article ids and the best article in full', async () => {
      const res = await runTool<{ found: boolean; articles: { articleId: string; content: string }[]; instruction: string }>(
        searchTool, { query: 'teams microphone not working' }, testCall(t.db, 'it-helpdesk', NOW),
      );
      expect(res.result.found).toBe(true);
      expect(res.result.articles[0]!.articleId).toBe('KB-0014');
      expect(res.result.articles[0]!.content).toContain('Echo / Test Call');
      expect(res.result.instruction).toMatch(/article id/);
    });

    it('picks up an edited article on the next search, with no restart', async () => {
      const call = testCall(t.db, 'it-helpdesk', NOW);
      const before = await runTool<{ found: boolean }>(searchTool, { query: 'forklift scanner pairing' }, call);
      expect(before.result.found).toBe(false);
      writeFileSync(join(dir, 'KB-0099-scanner.md'), [
        '---', 'id: KB-0099', 'title: Pair a forklift barcode scanner', 'category: hardware', 'tags: [scanner, forklift, barcode, pairing]', '---',
        'Hold the scanner trigger for five seconds until it beeps twice, then scan the pairing barcode on the forklift terminal.', '',
      ].join('\n'));
      const after = await runTool<{ found: boolean; articles: { articleId: string }[] }>(searchTool, { query: 'forklift scanner pairing' }, call);
      expect(after.result.found).toBe(true);
      expect(after.result.articles[0]!.articleId).toBe('KB-0099');
    });

    it('re-indexes when the table lost its articles (a re-created schema)', async () => {
      const call = testCall(t.db, 'it-helpdesk', NOW);
      expect((await runTool<{ found: boolean }>(searchTool, { query: 'bitlocker recovery key' }, call)).result.found).toBe(true);
      await t.exec('DELETE FROM kb_articles');
      const res = await runTool<{ found: boolean; articles: { articleId: string }[] }>(searchTool, { query: 'bitlocker recovery key' }, call);
      expect(res.result.articles[0]?.articleId).toBe('KB-0019');
    });

    it('returns found false with an instruction not to guess', async () => {
      const res = await runTool<{ found: boolean; articles: unknown[]; instruction: string }>(
        searchTool, { query: 'what is the cafeteria menu' }, testCall(t.db, 'it-helpdesk', NOW),
      );
      expect(res.result).toMatchObject({ found: false, articles: [] });
      expect(res.result.instruction).toMatch(/don't know/);
    });

    it('refuses when the vertical has no knowledge directory', async () => {
      const res = await runTool(searchTool, { query: 'vpn' }, testCall(t.db, 'no-such-vertical', NOW));
      expect(res.errorCode).toBe('KNOWLEDGE_UNAVAILABLE');
    });

    it('rejects a one-letter query', async () => {
      const res = await runTool(searchTool, { query: 'a' }, testCall(t.db, 'it-helpdesk', NOW));
      expect(res.status).toBe('invalid_arguments');
    });
  });
});

describe('OpenAIEmbedder', () => {
  let server: Server;
  let url: string;
  const seen: { path: string; body: { model: string; input: string[]; dimensions: number }; auth: string | undefined }[] = [];

  beforeAll(async () => {
    // A local stand-in for the embeddings endpoint: answers out of order, as the API may.
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => { raw += c; });
      req.on('end', () => {
        const body = JSON.parse(raw) as { model: string; input: string[]; dimensions: number };
        seen.push({ path: req.url ?? '', body, auth: req.headers.authorization });
        const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: Array.from({ length: body.dimensions }, (_, k) => (k === 0 ? text.length : 0)) }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', model: body.model, data: data.reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts the texts and returns one vector per text, in input order', async () => {
    const embedder = new OpenAIEmbedder({ apiKey: 'sk-test', baseURL: url, dimensions: 4 });
    const vectors = await embedder.embed(['a', 'bbb']);
    expect(vectors).toEqual([[1, 0, 0, 0], [3, 0, 0, 0]]);
    expect(seen[0]).toMatchObject({ path: '/v1/embeddings', auth: 'Bearer sk-test', body: { model: 'text-embedding-3-small', input: ['a', 'bbb'], dimensions: 4 } });
  });
});
