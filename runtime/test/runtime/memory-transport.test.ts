import { describe, expect, it } from 'vitest';
import { copyOf, MemoryTransport, TransportStopped } from '../../src/runtime/memory-transport.js';
import { deferred, envelope } from './support.js';
import { transportContract } from './transport.contract.js';

transportContract('memory', async () => new MemoryTransport({ redeliveryDelayMs: 1 }));

describe('memory transport', () => {
  it('resolves publish only once every endpoint has handled the message', async () => {
    const transport = new MemoryTransport();
    const handled: string[] = [];
    for (const endpoint of ['a', 'b']) {
      await transport.subscribe(endpoint, ['Ping'], async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        handled.push(endpoint);
      });
    }
    await transport.start();
    await transport.publish(envelope('Ping'));
    expect(handled.sort()).toEqual(['a', 'b']);
    await transport.stop();
  });

  // The runtime keeps the outbox row of a publish that failed, and publishes it on the next start.
  it('gives queued deliveries back to their publisher when it stops', async () => {
    const transport = new MemoryTransport({ concurrency: 1 });
    const release = deferred();
    await transport.subscribe('slow', ['Ping'], () => release.promise);
    await transport.start();
    const inFlight = transport.publish(envelope('Ping'));
    const queued = transport.publish(envelope('Ping'));
    const stopping = transport.stop();
    await expect(queued).rejects.toBeInstanceOf(TransportStopped);
    release.resolve();
    await stopping;
    await expect(inFlight).resolves.toBeUndefined();
    await expect(transport.publish(envelope('Ping'))).rejects.toBeInstanceOf(TransportStopped);
  });

  it('refuses to send to an endpoint nobody subscribed', async () => {
    const transport = new MemoryTransport();
    await transport.start();
    await expect(
      transport.send('nobody', { envelope: envelope('Ping'), attempt: 1 }),
    ).rejects.toThrow('no endpoint named nobody');
    await transport.stop();
  });

  it('copies a message deeply, "__proto__" keys and non-JSON values included', () => {
    const parsed = JSON.parse('{"a":{"list":[1,{"b":"c"}]},"__proto__":{"polluted":true}}');
    const copy = copyOf(parsed);
    expect(copy).toEqual(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['a', '__proto__']);
    expect(copy.a).not.toBe(parsed.a);
    expect(copy.a.list[1]).not.toBe(parsed.a.list[1]);
    const at = new Date(0);
    const withDate = copyOf({ at });
    expect(withDate.at).toEqual(at);
    expect(withDate.at).not.toBe(at);
  });
});
