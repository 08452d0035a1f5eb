import { describe, expect, it } from 'vitest';
import {
  childTraceParent,
  isTraceParent,
  newId,
  newTraceParent,
} from '../../src/contracts/envelope.js';

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ids', () => {
  it('are UUIDs of version 7 whose first 48 bits are the time they were made', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(uuidV7);
    const millis = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
  });

  it('sort by the millisecond they were made in, and never repeat', () => {
    const ids = Array.from({ length: 20_000 }, newId);
    for (const id of ids) expect(id).toMatch(uuidV7);
    expect(new Set(ids).size).toBe(ids.length);
    const millis = ids.map((id) => id.slice(0, 13));
    expect(millis).toEqual([...millis].sort());
  });

  it('give each message of a trace a span of its own', () => {
    const root = newTraceParent();
    const children = Array.from({ length: 1000 }, () => childTraceParent(root));
    expect(isTraceParent(root)).toBe(true);
    for (const child of children) {
      expect(isTraceParent(child)).toBe(true);
      expect(child.slice(0, 35)).toBe(root.slice(0, 35));
    }
    expect(new Set(children.map((child) => child.slice(36, 52))).size).toBe(children.length);
  });
});
