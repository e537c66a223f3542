/** Shared set-up for the gateway tests: a real catalog over a temporary verticals directory. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import type { ToolRegistry } from '../../src/toolkit/types.js';
import { httpSend } from '../../src/telephony/http.js';

export const DEMO_NUMBER = '+15550001111';
export const OTHER_NUMBER = '+15550002222';

const emptyRegistry: ToolRegistry = { get: () => undefined, has: () => false, names: () => [] };

export function demoManifest(id: string, number: string, instructions: string): string {
  return [
    `id: ${id}`,
    `name: ${id} line`,
    `numbers: ["${number}"]`,
    'languages:',
    '  default: en',
    '  supported: [{ code: en, voice: alloy }]',
    'greeting: Hello, thanks for calling.',
    'entryAgent: Front Desk',
    'agents:',
    '  - name: Front Desk',
    '    description: Answers every call.',
    `    instructions: ${JSON.stringify(instructions)}`,
    '',
  ].join('\n');
}

export interface FixtureCatalog {
  catalog: Catalog;
  dir: string;
  writeVertical(id: string, number: string, instructions: string): void;
  cleanup(): void;
}

export function fixtureCatalog(): FixtureCatalog {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-gw-'));
  const verticalsDir = join(dir, 'verticals');
  const agentsDir = join(dir, 'agents');
  mkdirSync(verticalsDir);
  mkdirSync(agentsDir);
  const writeVertical = (id: string, number: string, instructions: string) => {
    mkdirSync(join(verticalsDir, id), { recursive: true });
    writeFileSync(join(verticalsDir, id, 'vertical.yaml'), demoManifest(id, number, instructions));
  };
  writeVertical('demo', DEMO_NUMBER, 'Be helpful.');
  writeVertical('other', OTHER_NUMBER, 'Be brief.');
  const catalog = createCatalog({ verticalsDir, agentsDir, registry: emptyRegistry, cwd: dir });
  return { catalog, dir, writeVertical, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Global fetch on Node 20 keeps a timer for about a second after use, which holds jest workers; node:http does not. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string }> {
  const res = await httpSend({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, type: String(res.headers['content-type'] ?? ''), text: res.text };
}

export async function request(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string; json(): unknown }> {
  const res = await httpSend({ url, method: init.method ?? 'GET', headers: init.headers ?? {} });
  return { status: res.status, text: res.text, json: () => JSON.parse(res.text) as unknown };
}
