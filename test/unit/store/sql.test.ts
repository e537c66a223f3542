import { quoteIdent, searchPathFor, jsonParam, sqlState } from '../../../src/store/sql.js';
import { lastReadyStatus } from '../../../src/store/db/wireServer.js';

describe('SQL helpers', () => {
  it('quotes plain identifiers and refuses anything else', () => {
    expect(quoteIdent('v_salon')).toBe('"v_salon"');
    for (const bad of ['', 'a b', 'x"; DROP TABLE calls; --', '1abc', 'a'.repeat(64)]) {
      expect(() => quoteIdent(bad)).toThrow(/identifier/);
    }
  });

  it('builds a search_path of the given schemas then public', () => {
    expect(searchPathFor('v_salon')).toBe('"v_salon",public');
    expect(searchPathFor(['v_salon', 't_1', 'public'])).toBe('"v_salon","t_1",public');
  });

  it('encodes jsonb parameters as JSON text, strings included', () => {
    expect(jsonParam({ a: 1 })).toBe('{"a":1}');
    expect(jsonParam('text')).toBe('"text"');
    expect(jsonParam(undefined)).toBeNull();
  });

  it('reads a SQLSTATE only when it looks like one', () => {
    expect(sqlState({ code: '23P01' })).toBe('23P01');
    expect(sqlState({ code: 'ECONNREFUSED' })).toBeUndefined();
    expect(sqlState(null)).toBeUndefined();
  });
});

describe('wire protocol framing', () => {
  const msg = (type: string, body: number[]) => {
    const len = body.length + 4;
    return [type.charCodeAt(0), (len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, ...body];
  };

  it('finds the transaction status of the last ReadyForQuery', () => {
    const complete = msg('C', [...Buffer.from('INSERT 0 1\0')]);
    const idle = msg('Z', ['I'.charCodeAt(0)]);
    const inTx = msg('Z', ['T'.charCodeAt(0)]);
    expect(lastReadyStatus(new Uint8Array([...complete, ...inTx]))).toBe('T');
    expect(lastReadyStatus(new Uint8Array([...inTx, ...complete, ...idle]))).toBe('I');
    expect(lastReadyStatus(new Uint8Array(complete))).toBeUndefined();
    expect(lastReadyStatus(new Uint8Array([]))).toBeUndefined();
  });
});
