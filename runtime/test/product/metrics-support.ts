/**
 * Reading the Prometheus text of a product in tests.
 */
import { expect } from 'vitest';
import type { Product } from './harness.js';

/** The sum of the series of `name` that carry every one of `labels`, or 0 when none does. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** `GET /metrics` as Prometheus scrapes it, without credentials. */
export async function scrape(p: Product): Promise<string> {
  const response = await p.inject({ method: 'GET', url: '/metrics', token: null });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toContain('text/plain');
  return response.body;
}
