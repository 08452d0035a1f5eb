import { describe, expect, it } from 'vitest';
import { Turns } from '../../src/runtime/turns.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('turns', () => {
  it('runs the work of one key one at a time, in call order, and other keys alongside', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const work = (name: string, ticks: number) => async () => {
      log.push(`start ${name}`);
      for (let i = 0; i < ticks; i += 1) await tick();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      turns.run('tenant-a', work('a1', 3)),
      turns.run('tenant-a', work('a2', 1)),
      turns.run('tenant-b', work('b1', 1)),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('goes on with a key after a failure, which only its caller hears of', async () => {
    const turns = new Turns();
    const failed = turns.run('tenant-a', async () => {
      throw new Error('handler failed');
    });
    const next = turns.run('tenant-a', async () => 'next');
    await expect(failed).rejects.toThrow('handler failed');
    expect(await next).toBe('next');
  });
});
