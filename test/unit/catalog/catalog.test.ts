import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCatalog, type CatalogReloadFailedEvent, type CatalogSwappedEvent,
} from '../../../src/catalog/index.js';
import { formatProblem, ManifestError } from '../../../src/manifest/index.js';
import { fixtureRegistry } from '../../fixtures/manifests/registry.js';

describe('Catalog', () => {
  let root: string;
  let verticalsDir: string;
  let agentsDir: string;
  const manifestFile = (id = 'salon') => join(verticalsDir, id, 'vertical.yaml');
  const edit = (file: string, fn: (text: string) => string) => writeFileSync(file, fn(readFileSync(file, 'utf8')));
  const open = () => createCatalog({ verticalsDir, agentsDir, registry: fixtureRegistry, cwd: root });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-catalog-'));
    cpSync('test/fixtures/manifests/valid', root, { recursive: true });
    verticalsDir = join(root, 'verticals');
    agentsDir = join(root, 'agents');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const addSpa = (number = '+14155550111') => {
    cpSync(join(verticalsDir, 'salon'), join(verticalsDir, 'spa'), { recursive: true });
    edit(manifestFile('spa'), (t) => t.replace('id: salon', 'id: spa').replace('+14155550100', number));
  };

  it('compiles every vertical and indexes it by id and number', () => {
    addSpa();
    const catalog = open();
    expect(catalog.generation).toBe(1);
    expect(catalog.list().map((v) => v.id)).toEqual(['salon', 'spa']);
    const salon = catalog.get('salon')!;
    expect(salon.version).toMatch(/^[0-9a-f]{12}$/);
    expect(salon.graph.entry.name).toBe('Receptionist');
    expect(salon.numbers).toEqual(['+14155550100']);
    expect(salon.engine).toEqual({ requested: 'realtime', effective: 'realtime' });
    expect(catalog.byNumber('+14155550100')).toBe(salon);
    expect(catalog.byNumber('+14155550111')!.id).toBe('spa');
    expect(catalog.byNumber('+19999999999')).toBeUndefined();
    expect(catalog.problems).toEqual([]);
    expect(Object.isFrozen(salon.manifest.agents[0])).toBe(true);
  });

  it('refuses to start with a ManifestError carrying every problem', () => {
    edit(manifestFile(), (t) => t.replace('handoffs: [Receptionist]\n  - name: Manager', 'handoffs: [billing]\n  - name: Manager').replace('tools: [lookup_service]', 'tools: [charge_card]'));
    let thrown: unknown;
    try {
      open();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ManifestError);
    expect((thrown as ManifestError).problems.map(formatProblem)).toEqual([
      'verticals/salon/vertical.yaml:17 agents[0].tools[0]: unknown tool "charge_card"',
      'verticals/salon/vertical.yaml:23 agents[1].handoffs[0]: unknown agent "billing"',
    ]);
  });

  it('keeps the very same compiled vertical when a reload changes nothing', async () => {
    const catalog = open();
    const before = catalog.get('salon');
    const result = await catalog.reload();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toMatchObject({ generation: 2, added: [], removed: [], changed: [], unchanged: ['salon'] });
    expect(catalog.get('salon')).toBe(before);
  });

  it('swaps in a new version on reload while a pinned call keeps the old one', async () => {
    const catalog = open();
    const events: CatalogSwappedEvent[] = [];
    catalog.on('catalog.swapped', (e) => events.push(e));
    const pinned = catalog.byNumber('+14155550100')!;
    const pinnedInstructions = pinned.graph.entry.instructions;

    writeFileSync(join(verticalsDir, 'salon', 'prompts', 'receptionist.md'), 'You are the new receptionist.\n');
    const result = await catalog.reload();

    expect(result.ok).toBe(true);
    const fresh = catalog.byNumber('+14155550100')!;
    expect(fresh).not.toBe(pinned);
    expect(fresh.version).not.toBe(pinned.version);
    expect(String(fresh.graph.entry.instructions)).toMatch(/^You are the new receptionist\./);
    expect(pinned.graph.entry.instructions).toBe(pinnedInstructions);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'catalog.swapped', generation: 2, changed: [{ id: 'salon', from: pinned.version, to: fresh.version }] });
  });

  it('changes the version when a shared fragment changes', async () => {
    const catalog = open();
    const v1 = catalog.get('salon')!.version;
    writeFileSync(join(agentsDir, 'fragments', 'safety.md'), 'Never give legal advice.\n');
    await catalog.reload();
    expect(catalog.get('salon')!.version).not.toBe(v1);
  });

  it('keeps the running snapshot and reports the problems when a reload is broken', async () => {
    const catalog = open();
    const failures: CatalogReloadFailedEvent[] = [];
    catalog.on('catalog.reload_failed', (e) => failures.push(e));
    const before = catalog.snapshot;
    addSpa('+14155550100');
    edit(manifestFile(), (t) => t.replace('entryAgent: Receptionist', 'entryAgent: Nobody'));

    const result = await catalog.reload();

    expect(result.ok).toBe(false);
    expect(result.problems.map(formatProblem)).toEqual([
      'verticals/salon/vertical.yaml:4 numbers[0]: "+14155550100" is also claimed by vertical "spa" (verticals/spa/vertical.yaml:4)',
      'verticals/salon/vertical.yaml:11 entryAgent: unknown agent "Nobody"',
      'verticals/spa/vertical.yaml:4 numbers[0]: "+14155550100" is also claimed by vertical "salon" (verticals/salon/vertical.yaml:4)',
    ]);
    expect(catalog.snapshot).toBe(before);
    expect(catalog.get('spa')).toBeUndefined();
    expect(failures).toEqual([expect.objectContaining({ type: 'catalog.reload_failed', generation: 1, errors: 3 })]);
  });

  it('adds and removes verticals on reload', async () => {
    const catalog = open();
    addSpa();
    const added = await catalog.reload();
    expect(added.ok && added.event.added).toEqual(['spa']);
    expect(catalog.byNumber('+14155550111')!.id).toBe('spa');
    rmSync(join(verticalsDir, 'salon'), { recursive: true });
    const removed = await catalog.reload();
    expect(removed.ok && removed.event.removed).toEqual(['salon']);
    expect(catalog.byNumber('+14155550100')).toBeUndefined();
    expect(catalog.list().map((v) => v.id)).toEqual(['spa']);
  });

  it('shares one reload between concurrent callers', async () => {
    const catalog = open();
    const [a, b] = await Promise.all([catalog.reload(), catalog.reload()]);
    expect(a).toBe(b);
    expect(catalog.generation).toBe(2);
  });

  describe('cascade verticals', () => {
    const noCascade = () => createCatalog({ verticalsDir, agentsDir, registry: fixtureRegistry, cwd: root, cascadeAvailable: false });
    const cascade = (fallback: string) => `engine:\n  type: cascade\n  cascade:\n    tts: { provider: elevenlabs, voiceId: 21m00Tcm4TlvDq8ikWAM }\n  fallback: ${fallback}\n`;

    it('run on the cascade engine when this process can serve it', () => {
      edit(manifestFile(), (t) => `${t}${cascade('realtime')}`);
      const catalog = open();
      expect(catalog.get('salon')!.engine).toEqual({ requested: 'cascade', effective: 'cascade' });
      expect(catalog.problems).toEqual([]);
    });

    it('run on the realtime engine with a start-up warning when there is no voice key and fallback is realtime', () => {
      edit(manifestFile(), (t) => `${t}${cascade('realtime')}`);
      const catalog = noCascade();
      expect(catalog.get('salon')!.engine).toEqual({ requested: 'cascade', effective: 'realtime' });
      expect(catalog.problems.map(formatProblem)).toEqual([
        'verticals/salon/vertical.yaml:51 engine.type: warning: the cascade engine needs ELEVENLABS_API_KEY for its voice and it is not set; calls run on the realtime engine (engine.fallback: realtime). Set ELEVENLABS_API_KEY to serve this vertical on cascade',
      ]);
    });

    it('are an error when there is no voice key and fallback is none', () => {
      edit(manifestFile(), (t) => `${t}${cascade('none')}`);
      expect(noCascade).toThrow(ManifestError);
      expect(noCascade).toThrow('verticals/salon/vertical.yaml:51 engine.type: the cascade engine needs ELEVENLABS_API_KEY for its voice and it is not set, and engine.fallback is "none": set ELEVENLABS_API_KEY or engine.fallback: realtime');
    });

    it('are an error without a voice id, with the line and the fix', () => {
      edit(manifestFile(), (t) => `${t}engine:\n  type: cascade\n`);
      expect(open).toThrow('verticals/salon/vertical.yaml:51 engine.type: the cascade engine speaks with engine.cascade.tts.voiceId, which is not set: add engine.cascade.tts: { provider: elevenlabs, voiceId: <ElevenLabs voice id> }');
    });
  });
});
