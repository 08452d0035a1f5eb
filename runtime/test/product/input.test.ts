/**
 * Every bad request is an RFC 9457 problem that says what was wrong, and creates nothing: the
 * sign-up's bad inputs one class at a time, then the other routes' parameters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { editionIds, slugPattern } from '../../src/catalog.js';
import { expectProblem, expectUnchanged, snapshot } from './api-support.js';
import type { Product } from './harness.js';
import { nextSlug, startProduct } from './harness.js';

let p: Product;
afterEach(async () => {
  await p?.stop();
});

const valid = () => {
  const slug = nextSlug();
  return { slug, name: `Tenant ${slug}`, owner: { email: `owner@${slug}.test`, name: 'Owner' } };
};

/** A slug the pattern refuses: the first candidate that fails it. */
const badSlug = ['Not A Slug!', '', '-', 'UPPER', 'x'.repeat(300)].find(
  (s) => !slugPattern.test(s),
)!;

type Case = readonly [
  what: string,
  request: { payload?: string | object; headers?: Record<string, string> },
  status: number,
  says: RegExp,
];

const bodyCases = (): Case[] => [
  ['an unknown field', { payload: { ...valid(), plan: 'gold' } }, 400, /unknown field `plan`/],
  [
    'an unknown nested field',
    { payload: { ...valid(), owner: { email: 'a@b.test', name: 'A', role: 'x' } } },
    400,
    /unknown field `role`/,
  ],
  [
    'a missing field',
    { payload: { slug: nextSlug(), owner: { email: 'a@b.test', name: 'A' } } },
    400,
    /\/name: is required/,
  ],
  ['a bad slug', { payload: { ...valid(), slug: badSlug } }, 400, /\/slug: must match/],
  [
    'an unknown edition',
    { payload: { ...valid(), edition: 'no-such-edition' } },
    400,
    new RegExp(`/edition: must be one of ${editionIds.join(', ')}`),
  ],
  [
    'a bad e-mail',
    { payload: { ...valid(), owner: { email: 'not-an-email', name: 'A' } } },
    400,
    /\/owner\/email: must be an e-mail address/,
  ],
  ['a wrong type', { payload: { ...valid(), name: 42 } }, 400, /\/name: must be string/],
  ['an empty name', { payload: { ...valid(), name: '' } }, 400, /\/name/],
  [
    'malformed JSON',
    { payload: '{"slug": "abc",', headers: { 'content-type': 'application/json' } },
    400,
    /not valid JSON/,
  ],
  [
    'an empty JSON body',
    { payload: '', headers: { 'content-type': 'application/json' } },
    400,
    /empty/,
  ],
  [
    'a JSON array',
    { payload: '[]', headers: { 'content-type': 'application/json' } },
    400,
    /must be object/,
  ],
  [
    'prototype poisoning',
    {
      payload: `{"__proto__": {"admin": true}, "slug": "${nextSlug()}"}`,
      headers: { 'content-type': 'application/json' },
    },
    400,
    /JSON/,
  ],
  [
    'a body that is not JSON',
    { payload: 'slug=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    415,
    /application\/json/,
  ],
  [
    'an oversized body',
    { payload: { ...valid(), name: 'x'.repeat(70 * 1024) } },
    413,
    /exceeds the limit/,
  ],
  [
    'an empty Idempotency-Key',
    { payload: valid(), headers: { 'idempotency-key': '' } },
    400,
    /idempotency-key/,
  ],
];

describe('sign-up input', () => {
  it.each(bodyCases())(
    'refuses %s as a problem and creates nothing',
    async (_what, request, status, says) => {
      p = await startProduct();
      const before = await snapshot(p);
      const response = await p.inject({ method: 'POST', url: '/tenants', token: null, ...request });
      const problem = expectProblem(response, status);
      expect(problem.detail, JSON.stringify(problem)).toMatch(says);
      await expectUnchanged(p, before);
    },
  );

  it('lists every problem of a body at once', async () => {
    p = await startProduct();
    const response = await p.inject({
      method: 'POST',
      url: '/tenants',
      token: null,
      payload: { slug: badSlug, edition: 'nope', owner: { email: 'x' }, extra: 1 },
    });
    const problem = expectProblem(response, 400);
    const paths = problem.errors!.map((e) => e.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/edition',
        '/extra',
        '/name',
        '/owner/email',
        '/owner/name',
        '/slug',
      ]),
    );
    expect(problem.errors!.every((e) => e.in === 'body')).toBe(true);
  });

  it('answers 409 for a slug another tenant has, and creates nothing', async () => {
    p = await startProduct();
    const { slug } = await p.signUp();
    const before = await snapshot(p);
    const response = await p.inject({
      method: 'POST',
      url: '/tenants',
      token: null,
      payload: { ...valid(), slug },
    });
    expect(expectProblem(response, 409).detail).toContain(slug);
    await expectUnchanged(p, before);
  });
});

describe('parameters', () => {
  const cases: [string, string, RegExp][] = [
    ['a tenant id that is not a uuid', '/tenants/not-a-uuid', /params \/id: must be a valid uuid/],
    ['a page size of 0', '/tenants?limit=0', /querystring \/limit/],
    [
      'a state that does not exist',
      '/tenants?state=Sleeping',
      /querystring \/state: must be one of/,
    ],
    ['an unknown query parameter', '/tenants?colour=red', /unknown field `colour`/],
    [
      'a dead-letter filter that is not a tenant id',
      '/dead-letters?tenantId=42',
      /querystring \/tenantId/,
    ],
  ];
  it.each(cases)('refuses %s with 400', async (_what, url, says) => {
    p = await startProduct();
    expect(expectProblem(await p.inject({ method: 'GET', url }), 400).detail).toMatch(says);
  });

  it('answers a route that does not exist with a 404 problem', async () => {
    p = await startProduct();
    expectProblem(await p.inject({ method: 'GET', url: '/no/such/route' }), 404);
    expectProblem(
      await p.inject({ method: 'GET', url: '/tenants/00000000-0000-4000-8000-000000000000' }),
      404,
    );
  });
});
