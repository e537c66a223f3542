import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cleanQuery, fuseRankings, isConfidentFtsHit, knowledgeDirFor, MIN_FTS_RANK, parseArticle, readKnowledgeDir,
} from '../../../../tools/it-helpdesk/knowledge.js';
import { embedderFromEnv, OpenAIEmbedder } from '../../../../tools/it-helpdesk/embeddings.js';

const article = (id: string, extra = ''): string =>
  `---\nid: ${id}\ntitle: Fix the thing\ncategory: hardware\ntags: [thing, fix]\nupdated: 2026-01-02\n${extra}---\nStep one: turn it off and on again, then wait a minute.\n`;

describe('parseArticle', () => {
  it('reads the front matter and hashes the content', () => {
    const a = parseArticle(article('KB-0100'), 'x.md');
    expect(a).toMatchObject({ id: 'KB-0100', title: 'Fix the thing', category: 'hardware', tags: ['thing', 'fix'], updated: '2026-01-02', sourceFile: 'x.md' });
    expect(a.body).toMatch(/^Step one/);
    expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(parseArticle(article('KB-0100').replace('again', 'once more'), 'x.md').contentHash).not.toBe(a.contentHash);
  });

  it.each([
    ['no front matter', 'Just text, long enough to be an article body.', /missing YAML front matter/],
    ['a bad id', article('KB-12'), /id: must look like KB-0001/],
    ['an unknown key', article('KB-0100', 'author: me\n'), /author|Unrecognized/i],
    ['invalid YAML', '---\nid: KB-0100\ntitle: a: b\n---\nbody body body body body body\n', /not valid YAML/],
    ['an empty body', '---\nid: KB-0100\ntitle: Something\ncategory: x1\n---\n\n', /body is empty/],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseArticle(text, 'bad.md')).toThrow(message);
  });
});

describe('readKnowledgeDir', () => {
  it('refuses two files with one id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-'));
    try {
      writeFileSync(join(dir, 'a.md'), article('KB-0001'));
      writeFileSync(join(dir, 'b.md'), article('KB-0001'));
      expect(() => readKnowledgeDir(dir)).toThrow(/KB-0001 is used by both a.md and b.md/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships at least 20 valid articles with unique ids', () => {
    const articles = readKnowledgeDir(knowledgeDirFor('it-helpdesk', {}));
    expect(articles.length).toBeGreaterThanOrEqual(20);
    expect(new Set(articles.map((a) => a.id)).size).toBe(articles.length);
    for (const a of articles) expect(a.sourceFile.startsWith(a.id)).toBe(true);
  });
});

describe('search helpers', () => {
  it('cleans a spoken query down to words', () => {
    expect(cleanQuery(`my "VPN" won't connect!!! \\ ; DROP TABLE`)).toBe('my VPN won t connect DROP TABLE');
  });

  it('needs a good rank and more than one stray word for an answer', () => {
    expect(isConfidentFtsHit({ rank: MIN_FTS_RANK, matched_terms: 2, query_terms: 3 })).toBe(true);
    expect(isConfidentFtsHit({ rank: 0.6, matched_terms: 1, query_terms: 3 })).toBe(false);
    expect(isConfidentFtsHit({ rank: MIN_FTS_RANK - 0.01, matched_terms: 3, query_terms: 3 })).toBe(false);
    expect(isConfidentFtsHit({ rank: 0.5, matched_terms: 1, query_terms: 1 })).toBe(true);
  });

  it('fuses rankings so agreement wins', () => {
    expect(fuseRankings([['a', 'b', 'c'], ['b', 'd']]).map((x) => x.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fuseRankings([[], []])).toEqual([]);
  });

  it('resolves the knowledge directory from SWITCHBOARD_VERTICALS_DIR when set', () => {
    expect(knowledgeDirFor('it-helpdesk', { SWITCHBOARD_VERTICALS_DIR: '/srv/verticals' })).toBe('/srv/verticals/it-helpdesk/knowledge');
    expect(knowledgeDirFor('it-helpdesk', {})).toMatch(/verticals\/it-helpdesk\/knowledge$/);
  });

  it('uses embeddings only when an OpenAI key is set', () => {
    expect(embedderFromEnv({})).toBeNull();
    expect(embedderFromEnv({ OPENAI_API_KEY: '  ' })).toBeNull();
    expect(embedderFromEnv({ OPENAI_API_KEY: 'sk-test' })).toBeInstanceOf(OpenAIEmbedder);
  });
});
