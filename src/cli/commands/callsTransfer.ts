/** `calls show` sections for issue 18: the call's recording reference, and its transfers and messages taken. */
import type { Store, StoredCall } from '../../store/index.js';
import type { CallRecording, CallMessage, TransferRecord } from '../../store/index.js';

export function formatRecording(r: CallRecording): string {
  switch (r.status) {
    case 'recording':
      return `  recorded (dual channel): ${r.sid ?? '-'}  ${r.url ?? ''}`.trimEnd();
    case 'stopped':
      return r.sid ? `  recording ${r.sid} stopped at the caller's request  ${r.url ?? ''}`.trimEnd() : "  not recorded (the caller objected before it started)";
    case 'refused':
      return `  not recorded: the carrier refused (${r.error ?? 'no code'})`;
    default:
      return '  not recorded';
  }
}

export function formatTransfers(transfers: readonly TransferRecord[], messages: readonly CallMessage[]): string {
  const lines = transfers.map((t) => {
    const steps = t.events.map((e) => `${e.type.replace('transfer.', '')} +${e.atMs} ms`).join(' → ');
    return `  ${t.mode.padEnd(4)} ${t.state}${t.failure ? ` (${t.failure})` : ''}  ${steps}`;
  });
  for (const m of messages) lines.push(`  message #${m.id} from ${m.callerName}: ${m.message}  [sms ${m.smsStatus}${m.smsError ? ` ${m.smsError}` : ''}]`);
  return lines.join('\n');
}

export const recordingSection = {
  key: 'recording',
  async load(store: Store, stored: StoredCall) {
    const r = await store.transfers.recordingOf(stored.call.id);
    if (!r || r.status === null) return null;
    return { text: formatRecording(r), json: r };
  },
};

export const transfersSection = {
  key: 'transfers',
  async load(store: Store, stored: StoredCall) {
    const [transfers, messages] = await Promise.all([store.transfers.ofCall(stored.call.id), store.transfers.messagesOf(stored.call.id)]);
    if (transfers.length === 0 && messages.length === 0) return null;
    return { text: formatTransfers(transfers, messages), json: { transfers, messages } };
  },
};
