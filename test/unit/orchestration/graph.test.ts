import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tool } from '@openai/agents';
import { RealtimeAgent, RealtimeSession } from '@openai/agents/realtime';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadVerticals, type LoadedVertical } from '../../../src/manifest/index.js';
import { createLogger } from '../../../src/observability/index.js';
import { buildAgentGraph, GraphBuildError, type AgentGraph } from '../../../src/orchestration/index.js';
import { MemoryToolInvocationRecorder, type CallToolEnv, type SwitchboardRunContext } from '../../../src/toolkit/index.js';
import type { Db } from '../../../src/store/types.js';
import { fixtureCase, fixtureRegistry, fixtureTools, registryOf } from '../../fixtures/manifests/registry.js';

function loadValid(): LoadedVertical {
  const c = fixtureCase('valid');
  const result = loadVerticals(c.verticalsDir, { registry: fixtureRegistry, agentsDir: c.agentsDir });
  expect(result.problems).toEqual([]);
  return result.verticals[0]!;
}

describe('buildAgentGraph', () => {
  const loaded = loadValid();
  const graph = buildAgentGraph(loaded, fixtureRegistry);

  it('builds one RealtimeAgent per manifest agent and starts at the entry agent', () => {
    expect([...graph.agents.keys()]).toEqual(['Receptionist', 'Booking', 'Manager']);
    expect(graph.entry).toBeInstanceOf(RealtimeAgent);
    expect(graph.entry).toBe(graph.agents.get('Receptionist'));
  });

  it('gives each agent its description, resolved instructions, tools and voice', () => {
    const receptionist = graph.agents.get('Receptionist')!;
    expect(receptionist.handoffDescription).toBe('Greets callers and routes them.');
    expect(receptionist.instructions).toBe(loaded.instructions.get('Receptionist'));
    expect(receptionist.tools.map((t) => t.name)).toEqual(['lookup_service']);
    expect(receptionist.voice).toBe('alloy');
    expect(graph.agents.get('Booking')!.tools.map((t) => t.name)).toEqual(['book_appointment']);
    expect(graph.nodes.get('Booking')).toMatchObject({ tools: ['book_appointment'], handoffs: ['Receptionist'] });
  });

  it('wires handoffs both ways (cycles) with the SDK\'s transfer_to_ tool names', async () => {
    const receptionist = graph.agents.get('Receptionist')!;
    const booking = graph.agents.get('Booking')!;
    expect(receptionist.handoffs).toEqual([booking, graph.agents.get('Manager')]);
    expect(booking.handoffs).toEqual([receptionist]);
    const handoffs = await receptionist.getEnabledHandoffs({} as never);
    expect(handoffs.map((h) => h.toolName)).toEqual(['transfer_to_Booking', 'transfer_to_Manager']);
    expect(graph.nodes.get('Receptionist')!.handoffTools).toEqual(['transfer_to_Booking', 'transfer_to_Manager']);
    expect(handoffs[0]!.toolDescription).toContain('Books appointments.');
  });

  it('shares one SDK tool object between agents that list the same tool', () => {
    const copy = loadValid();
    copy.manifest.agents[2]!.tools = ['lookup_service'];
    const g = buildAgentGraph(copy, fixtureRegistry);
    expect(g.agents.get('Manager')!.tools[0]).toBe(g.agents.get('Receptionist')!.tools[0]);
  });

  it('accepts another tool adapter', () => {
    const g = buildAgentGraph(loaded, fixtureRegistry, {
      toTool: (def) => tool({ name: `x_${def.name}`, description: def.description, parameters: def.input as never, execute: async () => 'ok' }),
    });
    expect(g.entry.tools.map((t) => t.name)).toEqual(['x_lookup_service']);
  });

  it('fails with GRAPH_BUILD_FAILED when a tool vanished from the registry', () => {
    const smaller = registryOf(fixtureTools.filter((t) => t.name !== 'book_appointment'));
    expect(() => buildAgentGraph(loaded, smaller)).toThrow(GraphBuildError);
    expect(() => buildAgentGraph(loaded, smaller)).toThrow('salon: agent "Booking" uses unknown tool "book_appointment"');
  });
});

/** A local Realtime peer: records every client message per connection. */
interface Peer {
  ws: WebSocket;
  received: Record<string, any>[];
  next(type: string, after?: number): Promise<Record<string, any>>;
}

describe('the graph over real RealtimeSessions', () => {
  let server: WebSocketServer;
  let url: string;
  const peers: Peer[] = [];
  const peerWaiters: ((p: Peer) => void)[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) => {
      const received: Record<string, any>[] = [];
      const waiters: (() => void)[] = [];
      ws.on('message', (data) => {
        received.push(JSON.parse(String(data)));
        waiters.splice(0).forEach((w) => w());
      });
      const peer: Peer = {
        ws, received,
        async next(type, after = 0) {
          for (;;) {
            const found = received.slice(after).find((m) => m.type === type);
            if (found) return found;
            await new Promise<void>((resolve) => waiters.push(resolve));
          }
        },
      };
      peers.push(peer);
      peerWaiters.splice(0).forEach((w) => w(peer));
    });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/realtime`;
  });
  afterAll(async () => {
    for (const p of peers) p.ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const connect = async (graph: AgentGraph, context: SwitchboardRunContext): Promise<{ session: RealtimeSession<SwitchboardRunContext>; peer: Peer }> => {
    const peerReady = new Promise<Peer>((resolve) => peerWaiters.push(resolve));
    const session = new RealtimeSession<SwitchboardRunContext>(graph.entry, { transport: 'websocket', model: 'gpt-realtime', context });
    await session.connect({ apiKey: 'sk-test', url });
    return { session, peer: await peerReady };
  };

  const callContext = (callId: string, recorder: MemoryToolInvocationRecorder): SwitchboardRunContext => {
    const env: CallToolEnv = {
      callId, vertical: 'salon',
      db: {} as Db, // the fixture tools never touch the database
      logger: createLogger('test'),
      services: { now: () => new Date('2025-01-01T10:00:00Z') },
      callSignal: new AbortController().signal,
      recorder,
      currentAgent: () => undefined,
    };
    return { switchboard: env };
  };

  const functionCall = (name: string, callId: string, args: unknown) => JSON.stringify({
    type: 'response.output_item.done', event_id: `ev_${callId}`, response_id: `resp_${callId}`, output_index: 0,
    item: { id: `item_${callId}`, type: 'function_call', status: 'completed', call_id: callId, name, arguments: JSON.stringify(args) },
  });

  it('sends the entry agent in session.update and switches agent on transfer_to_Booking', async () => {
    const graph = buildAgentGraph(loadValid(), fixtureRegistry);
    const { session, peer } = await connect(graph, callContext('call-1', new MemoryToolInvocationRecorder()));
    try {
      const first = await peer.next('session.update');
      expect(first.session.instructions).toBe(graph.entry.instructions);
      expect(first.session.audio.output.voice).toBe('alloy');
      expect(first.session.tools.map((t: { name: string }) => t.name)).toEqual(['lookup_service', 'transfer_to_Booking', 'transfer_to_Manager']);
      expect(first.session.tools[0].parameters.properties.service.type).toBe('string');

      const mark = peer.received.length;
      peer.ws.send(functionCall('transfer_to_Booking', 'h1', {}));
      const second = await peer.next('session.update', mark);
      expect(second.session.instructions).toBe('You book appointments.');
      expect(second.session.tools.map((t: { name: string }) => t.name)).toEqual(['book_appointment', 'transfer_to_Receptionist']);
      expect(session.currentAgent.name).toBe('Booking');
    } finally {
      session.close();
    }
  });

  it('serves two concurrent calls from one graph, each tool call reaching its own call context', async () => {
    const graph = buildAgentGraph(loadValid(), fixtureRegistry);
    const recorderA = new MemoryToolInvocationRecorder();
    const recorderB = new MemoryToolInvocationRecorder();
    const a = await connect(graph, callContext('call-a', recorderA));
    const b = await connect(graph, callContext('call-b', recorderB));
    try {
      a.peer.ws.send(functionCall('lookup_service', 'ta', { service: 'haircut' }));
      const outputA = await a.peer.next('conversation.item.create');
      expect(outputA.item).toMatchObject({ type: 'function_call_output', call_id: 'ta' });
      expect(JSON.parse(outputA.item.output)).toEqual({ ok: true });

      // The other call has a transfer in flight; the shared graph must not carry it over.
      b.peer.ws.send(functionCall('transfer_to_Booking', 'tb', {}));
      await b.peer.next('conversation.item.create');
      expect(b.session.currentAgent.name).toBe('Booking');
      expect(a.session.currentAgent.name).toBe('Receptionist');

      expect(recorderA.list().map((i) => [i.callId, i.toolName, i.status])).toEqual([['call-a', 'lookup_service', 'ok']]);
      expect(recorderB.list()).toEqual([]);
    } finally {
      a.session.close();
      b.session.close();
    }
  });
});
