import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canaryBucket, compileCandidate, createCatalog, effectiveNumbers, materializeCandidate, pickVersion, readCandidateFiles,
  type Catalog, type CompiledVertical, type RoutingState,
} from '../../../src/catalog/index.js';
import { formatProblem } from '../../../src/manifest/index.js';
import { fixtureRegistry } from '../../fixtures/manifests/registry.js';

const SALON = '+14155550100';
const SPA = '+14155550111';
/** Twilio-shaped CallSids, fixed so the test is deterministic (the hash spreads them like any others). */
const callSid = (i: number): string => `CA${i.toString(16).padStart(32, '0')}`;

describe('catalog routing', () => {
  let root: string;
  let verticalsDir: string;
  let agentsDir: string;
  let catalog: Catalog;
  let candidateDir: string;
  let candidate: CompiledVertical;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-routing-'));
    cpSync('test/fixtures/manifests/valid', root, { recursive: true });
    verticalsDir = join(root, 'verticals');
    agentsDir = join(root, 'agents');
    cpSync(join(verticalsDir, 'salon'), join(verticalsDir, 'spa'), { recursive: true });
    const spaFile = join(verticalsDir, 'spa', 'vertical.yaml');
    writeFileSync(spaFile, readFileSync(spaFile, 'utf8').replace('id: salon', 'id: spa').replace(SALON, SPA));
    catalog = createCatalog({ verticalsDir, agentsDir, registry: fixtureRegistry, cwd: root });
    candidateDir = join(root, 'candidate', 'salon');
    cpSync(join(verticalsDir, 'salon'), candidateDir, { recursive: true });
    writeFileSync(join(candidateDir, 'prompts', 'receptionist.md'), 'You are the NEW receptionist. Keep it short.\n');
    const result = compileCandidate(candidateDir, 'salon', { verticalsDir, agentsDir, registry: fixtureRegistry, cwd: root });
    candidate = result.vertical!;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const canary = (over: Partial<RoutingState['canaries'] extends ReadonlyMap<string, infer C> ? C : never> = {}): RoutingState => ({
    assignments: new Map(),
    canaries: new Map([['salon', { vertical: 'salon', candidate, percent: 50, number: null, state: 'running' as const, baseVersion: catalog.get('salon')!.version, ...over }]]),
  });

  it('routes a number by the manifests until an assignment overrides it', () => {
    expect(catalog.byNumber(SALON)?.id).toBe('salon');
    catalog.setRouting({ assignments: new Map([[SALON, 'spa'], ['+14155550199', 'spa']]), canaries: new Map() });
    expect(catalog.byNumber(SALON)?.id).toBe('spa');
    expect(catalog.byNumber('+14155550199')?.id).toBe('spa');
    expect(catalog.numbers()).toEqual([
      { number: SALON, vertical: 'spa', source: 'assigned', manifestVertical: 'salon' },
      { number: SPA, vertical: 'spa', source: 'manifest' },
      { number: '+14155550199', vertical: 'spa', source: 'assigned' },
    ].sort((a, b) => a.number.localeCompare(b.number)));
    catalog.setRouting({ assignments: new Map(), canaries: new Map() });
    expect(catalog.byNumber(SALON)?.id).toBe('salon');
  });

  it('ignores an assignment to a vertical that is not deployed', () => {
    const routes = effectiveNumbers(new Map([['salon', { id: 'salon', numbers: [SALON] }]]), new Map([[SALON, 'gone'], ['+14155550177', 'gone']]));
    expect(routes).toEqual([
      { number: SALON, vertical: 'salon', source: 'manifest', unknownVertical: 'gone' },
      { number: '+14155550177', vertical: 'gone', source: 'assigned', unknownVertical: 'gone' },
    ].sort((a, b) => a.number.localeCompare(b.number)));
    catalog.setRouting({ assignments: new Map([[SALON, 'gone'], ['+14155550177', 'gone']]), canaries: new Map() });
    expect(catalog.byNumber(SALON)?.id).toBe('salon');
    expect(catalog.byNumber('+14155550177')).toBeUndefined();
  });

  it('keeps the assignments across a reload', async () => {
    catalog.setRouting({ assignments: new Map([[SALON, 'spa']]), canaries: new Map() });
    await catalog.reload();
    expect(catalog.byNumber(SALON)?.id).toBe('spa');
  });

  it('sends the same CallSid to the same version every time', () => {
    catalog.setRouting(canary());
    for (let i = 0; i < 20; i++) {
      const first = catalog.byNumber(SALON, callSid(i))!.version;
      expect(catalog.byNumber(SALON, callSid(i))!.version).toBe(first);
    }
    expect(catalog.byNumber(SALON)!.version).toBe(catalog.get('salon')!.version);
  });

  it('splits 40 calls at 50 % within the binomial bounds [10, 30] (two-sided P < 0.0007)', () => {
    catalog.setRouting(canary());
    const onCandidate = Array.from({ length: 40 }, (_, i) => catalog.byNumber(SALON, callSid(i + 1000))!).filter((v) => v.version === candidate.version).length;
    expect(onCandidate).toBeGreaterThanOrEqual(10);
    expect(onCandidate).toBeLessThanOrEqual(30);
  });

  it('hashes CallSids uniformly: 10 000 at 10 % land within four standard deviations of 1000', () => {
    const hits = Array.from({ length: 10_000 }, (_, i) => canaryBucket(callSid(i)) < 10).filter(Boolean).length;
    expect(Math.abs(hits - 1000)).toBeLessThan(4 * Math.sqrt(10_000 * 0.1 * 0.9));
  });

  it('splits only the canary number when one is given, and never another vertical', () => {
    catalog.setRouting(canary({ percent: 100, number: '+14155550188' }));
    expect(catalog.byNumber(SALON, callSid(1))!.version).toBe(catalog.get('salon')!.version);
    catalog.setRouting({ ...canary({ percent: 100 }), assignments: new Map([['+14155550188', 'salon']]) });
    expect(catalog.byNumber('+14155550188', callSid(1))!.version).toBe(candidate.version);
    expect(catalog.byNumber(SPA, callSid(1))!.id).toBe('spa');
  });

  it('serves a promoted candidate to every call until the deployed version changes', async () => {
    catalog.setRouting(canary({ state: 'promoted', percent: 1 }));
    expect(catalog.byNumber(SALON)!.version).toBe(candidate.version);
    expect(catalog.resolve('salon', candidate.version)).toBe(candidate);
    writeFileSync(join(verticalsDir, 'salon', 'prompts', 'receptionist.md'), 'Deployed later.\n');
    await catalog.reload();
    expect(catalog.byNumber(SALON)!.version).toBe(catalog.get('salon')!.version);
    expect(pickVersion(catalog.get('salon')!, undefined, SALON, callSid(1))).toBe(catalog.get('salon'));
  });

  it('refuses a candidate of another vertical, or with errors, as file:line problems', () => {
    const wrong = compileCandidate(candidateDir, 'spa', { verticalsDir, agentsDir, registry: fixtureRegistry, cwd: root });
    expect(wrong.vertical).toBeUndefined();
    expect(wrong.problems.map(formatProblem)).toEqual(['candidate/salon/vertical.yaml:1 id: the candidate is vertical "salon", not "spa"']);
    const file = join(candidateDir, 'vertical.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('entryAgent: Receptionist', 'entryAgent: Nobody'));
    const broken = compileCandidate(candidateDir, 'salon', { verticalsDir, agentsDir, registry: fixtureRegistry, cwd: root });
    expect(broken.vertical).toBeUndefined();
    expect(broken.problems.map(formatProblem).join('\n')).toMatch(/^candidate\/salon\/vertical\.yaml:\d+ entryAgent: .*Nobody/m);
  });

  it('compiles a stored snapshot of the candidate to the same version anywhere', () => {
    const files = readCandidateFiles(candidateDir);
    expect(Object.keys(files).sort()).toEqual(['prompts/receptionist.md', 'vertical.yaml']);
    const folder = materializeCandidate('salon', files);
    try {
      const again = compileCandidate(folder.dir, 'salon', { verticalsDir, agentsDir, registry: fixtureRegistry });
      expect(again.vertical?.version).toBe(candidate.version);
    } finally {
      folder.remove();
    }
    expect(() => materializeCandidate('salon', { '../escape.txt': 'x' })).toThrow(/outside its folder/);
  });
});
