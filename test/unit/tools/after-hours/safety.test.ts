/**
 * The after-hours line's safety promise, checked on the manifest as shipped: a true emergency
 * always reaches a person or the caller is told to call emergency services.
 */
import { fileURLToPath } from 'node:url';
import { loadManifest } from '../../../../src/manifest/index.js';
import { createRegistry } from '../../../../src/toolkit/index.js';
import { afterHoursTools, emergencyScript } from '../../../../tools/after-hours/index.js';
import { commonTools } from '../../../../tools/common/index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const registry = createRegistry([...commonTools, ...afterHoursTools]);

function load() {
  const result = loadManifest(`${root}verticals/after-hours/vertical.yaml`, { registry, agentsDir: `${root}agents`, cwd: root });
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return result.vertical!;
}

describe('after-hours safety, structurally', () => {
  it('has exactly seven agents', () => {
    expect(load().manifest.agents).toHaveLength(7);
  });

  it('tells every agent to send danger to 911 first', () => {
    const vertical = load();
    for (const agent of vertical.manifest.agents) {
      const text = vertical.instructions.get(agent.name) ?? '';
      expect([agent.name, /call 911/.test(text)]).toEqual([agent.name, true]);
    }
  });

  it('lets every agent triage, or hand straight to an agent that can', () => {
    const { manifest } = load();
    const triagers = new Set(manifest.agents.filter((a) => a.tools.includes('ah_triage')).map((a) => a.name));
    expect(triagers.has(manifest.entryAgent)).toBe(true);
    for (const agent of manifest.agents) {
      const reaches = triagers.has(agent.name) || agent.handoffs.some((h) => triagers.has(h));
      expect([agent.name, reaches]).toEqual([agent.name, true]);
    }
  });

  it('gives the paging agent a person to fall back on, and the line a human number', () => {
    const { manifest } = load();
    for (const agent of manifest.agents.filter((a) => a.tools.includes('ah_page_on_call'))) {
      expect(agent.tools).toContain('transfer_to_human');
    }
    expect(manifest.fallback.humanNumber).toMatch(/^\+1/);
    expect(manifest.fallback.unavailableMessage).toMatch(/call 911/);
    expect(manifest.greeting).toMatch(/call 911/);
  });
});

describe('emergencyScript', () => {
  const business = { emergencyNumber: '911', gasUtilityName: 'Northern Lights Gas', gasUtilityNumber: '+15550100490' };

  it('starts with getting out and the emergency number', () => {
    expect(emergencyScript(business, false)).toBe('Please get everyone out of the building now and call 911 from outside.');
  });

  it('adds the gas utility and the no-switches rule for gas', () => {
    const gas = emergencyScript(business, true);
    expect(gas.startsWith('Please get everyone out of the building now and call 911')).toBe(true);
    expect(gas).toMatch(/Do not switch anything on or off/);
    expect(gas).toMatch(/Northern Lights Gas/);
  });
});
