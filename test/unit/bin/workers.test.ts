import { wholeRequest, workerNamedBy, workersWanted } from '../../../src/bin/workers.js';

it('reads --workers N|auto, else the configured count', () => {
  expect(workersWanted(['--workers', '3'], 1)).toBe(3);
  expect(workersWanted(['--workers=2'], 1)).toBe(2);
  expect(workersWanted([], 4)).toBe(4);
  expect(workersWanted(['--workers', 'auto'], 1)).toBeGreaterThanOrEqual(1);
  expect(() => workersWanted(['--workers', 'many'], 1)).toThrow('--workers must be a whole number from 1 to 256, or auto (got "many")');
});

it('finds the worker a stream upgrade names, and nothing in other requests', () => {
  expect(workerNamedBy('GET /twilio/stream?sbw=2 HTTP/1.1')).toBe('2');
  expect(workerNamedBy('GET /twilio/stream HTTP/1.1')).toBeUndefined();
  expect(workerNamedBy('POST /twilio/voice HTTP/1.1')).toBeUndefined();
  expect(workerNamedBy('garbage')).toBeUndefined();
});

it('knows when a whole request (headers and body) has arrived', () => {
  expect(wholeRequest(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n'))).toBe(false);
  expect(wholeRequest(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(true);
  expect(wholeRequest(Buffer.from('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab'))).toBe(false);
  expect(wholeRequest(Buffer.from('POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\nabcde'))).toBe(true);
});
