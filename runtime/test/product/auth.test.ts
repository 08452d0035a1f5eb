/**
 * Authentication and authorisation through the API: which routes are public, what an operator
 * and a tenant token may do, and that every refused request (401, 403) changes nothing. The
 * protected routes are read from /openapi.json, so a route added later is covered too.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { product } from '../../src/catalog.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { resolveSecrets } from '../../src/dev-secrets.js';
import {
  activeTenant,
  expectProblem,
  expectUnchanged,
  snapshot,
  tenantToken,
} from './api-support.js';
import type { Product } from './harness.js';
import { adminToken, jwtSecret, startProduct } from './harness.js';

let p: Product;
afterEach(async () => {
  await p?.stop();
});

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly access: 'public' | 'operator' | 'tenant';
}

async function operations(product: Product): Promise<Operation[]> {
  const response = await product.inject({ method: 'GET', url: '/openapi.json', token: null });
  const document = response.json() as {
    paths: Record<string, Record<string, { 'x-access': Operation['access'] }>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path, access: op['x-access'] })),
  );
}

const someUuid = '5f0c7c4e-8a4b-4c1e-9d7a-2b3c4d5e6f70';

/** A concrete URL for an operation, about `tenantId`. */
function urlOf(path: string, tenantId: string): string {
  return path
    .replace('{id}', tenantId)
    .replace(/\{(limit|flag)\}/, 'x')
    .replace(/\{[A-Za-z]+\}/g, someUuid);
}

/**
 * A JWT as another system would make it: valid for an hour of the harness's clock, issued by and
 * for this product, unless `options` say otherwise.
 */
function sign(
  claims: Record<string, unknown>,
  secret = jwtSecret,
  options: { issuer?: string; audience?: string; expires?: boolean } = {},
) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(new Date('2030-01-01T00:00:00Z'))
    .setIssuer(options.issuer ?? product.name)
    .setAudience(options.audience ?? product.name);
  if (options.expires !== false) jwt.setExpirationTime(new Date('2030-01-01T01:00:00Z'));
  return jwt.sign(new TextEncoder().encode(secret));
}

describe('authentication', () => {
  it('serves sign-up, health, metrics, the billing webhook and /openapi.json without a token, and nothing else', async () => {
    p = await startProduct();
    const { tenantId } = await activeTenant(p);
    const ops = await operations(p);
    const publicOps = ops
      .filter((op) => op.access === 'public')
      .map((op) => `${op.method} ${op.path}`);
    expect(publicOps.sort()).toEqual([
      'get /catalog',
      'get /health',
      'get /health/live',
      'get /health/ready',
      'get /metrics',
      'get /openapi.json',
      // The invited owner has the e-mailed code, and no token yet (face-api.test.ts).
      'post /activation',
      'post /tenants',
      // Signed instead: the billing provider's HMAC (webhooks.test.ts).
      'post /webhooks/billing',
    ]);
    const before = await snapshot(p);
    for (const op of ops.filter((o) => o.access !== 'public')) {
      const response = await p.inject({
        method: op.method.toUpperCase() as 'GET',
        url: urlOf(op.path, tenantId),
        token: null,
      });
      const problem = expectProblem(response, 401);
      expect(problem.detail).toContain('Authorization');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    await expectUnchanged(p, before);
  });

  it('refuses forged, expired, malformed and role-less tokens with 401', async () => {
    p = await startProduct();
    const { tenantId } = await activeTenant(p);
    const url = `/tenants/${tenantId}`;
    const minted = await tenantToken(p, tenantId, 60);
    const unsignedHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString(
      'base64url',
    );
    const unsignedClaims = Buffer.from(JSON.stringify({ role: 'admin' })).toString('base64url');
    const cases: [string, Record<string, string>][] = [
      [
        'a token signed with another secret',
        {
          authorization: `Bearer ${await sign({ role: 'admin' }, 'not-the-secret-0123456789abcdef')}`,
        },
      ],
      [
        'an unsigned token (alg none)',
        { authorization: `Bearer ${unsignedHeader}.${unsignedClaims}.` },
      ],
      ['a malformed token', { authorization: 'Bearer not-a-token' }],
      ['a JWT-shaped token of garbage', { authorization: 'Bearer aaa.bbb.ccc' }],
      ['a token with no role', { authorization: `Bearer ${await sign({ sub: 'someone' })}` }],
      [
        'a tenant token without its tenant',
        { authorization: `Bearer ${await sign({ role: 'tenant' })}` },
      ],
      ['the admin token with a typo', { authorization: `Bearer ${adminToken}x` }],
      [
        'another scheme',
        { authorization: `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}` },
      ],
      [
        'a token that never expires (no exp)',
        { authorization: `Bearer ${await sign({ role: 'admin' }, jwtSecret, { expires: false })}` },
      ],
      [
        'a token for another audience',
        {
          authorization: `Bearer ${await sign({ role: 'admin' }, jwtSecret, { audience: 'billing' })}`,
        },
      ],
      [
        'a token issued by someone else',
        {
          authorization: `Bearer ${await sign({ role: 'admin' }, jwtSecret, { issuer: 'elsewhere' })}`,
        },
      ],
      [
        'a tampered tenant token',
        { authorization: `Bearer ${minted.slice(0, -2)}${minted.endsWith('A') ? 'BB' : 'AA'}` },
      ],
    ];
    for (const [what, headers] of cases) {
      const response = await p.inject({ method: 'GET', url, headers, token: null });
      expect(response.statusCode, what).toBe(401);
      expectProblem(response, 401);
    }
    // The minted token works until it expires, on the product's clock.
    expect((await p.inject({ method: 'GET', url, token: minted })).statusCode).toBe(200);
    p.clock.advance(61_000);
    const expired = expectProblem(await p.inject({ method: 'GET', url, token: minted }), 401);
    expect(expired.detail).toContain('expired');
  });

  it('answers a path no route has with a 404 problem, with or without a token, and still guards real routes', async () => {
    p = await startProduct();
    const { tenantId } = await activeTenant(p);
    const tokens: [string, string | null][] = [
      ['no token', null],
      ["the operators' token", adminToken],
      ['a tenant token', await tenantToken(p, tenantId)],
      ['a malformed token', 'not-a-token'],
    ];
    const unknown: ['GET' | 'POST' | 'DELETE', string][] = [
      ['GET', '/no/such/route'],
      ['GET', '/wp-login.php?redirect=1'],
      ['POST', `/tenants/${tenantId}/no-such-command`],
      // A known path, but not with this method.
      ['DELETE', '/catalog'],
    ];
    for (const [what, token] of tokens)
      for (const [method, url] of unknown) {
        const response = await p.inject({ method, url, token });
        const problem = expectProblem(response, 404);
        expect(problem, `${method} ${url} with ${what}`).toMatchObject({
          title: 'Not found',
          detail: `no route ${method} ${url.split('?')[0]}`,
        });
        expect(response.headers['www-authenticate'], what).toBeUndefined();
      }
    // A route that exists still wants its token first.
    expectProblem(await p.inject({ method: 'GET', url: '/tenants', token: null }), 401);
    expectProblem(
      await p.inject({ method: 'GET', url: `/tenants/${tenantId}`, token: 'not-a-token' }),
      401,
    );
  });

  it('accepts the admin token and a JWT with the admin role as an operator', async () => {
    p = await startProduct();
    for (const token of [adminToken, await sign({ role: 'admin' })]) {
      const response = await p.inject({ method: 'GET', url: '/tenants', token });
      expect(response.statusCode, response.body).toBe(200);
    }
  });
});

describe('a tenant token', () => {
  it('is refused once its tenant is decommissioned', async () => {
    p = await startProduct();
    const { tenantId } = await activeTenant(p);
    const token = await tenantToken(p, tenantId);
    const url = `/tenants/${tenantId}`;
    expect((await p.inject({ method: 'GET', url, token })).statusCode).toBe(200);
    const closed = await p.inject({ method: 'POST', url: `${url}/decommission`, payload: {} });
    expect(closed.statusCode, closed.body).toBe(202);
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Decommissioned');
    const refused = expectProblem(await p.inject({ method: 'GET', url, token }), 401);
    expect(refused.detail).toContain('decommissioned');
    // The operators still see it, and mint it no new token.
    expect((await p.inject({ method: 'GET', url })).statusCode).toBe(200);
    expectProblem(await p.inject({ method: 'POST', url: `${url}/tokens`, payload: {} }), 409);
  });

  it('sees its own tenant, timeline, entitlements and workflows', async () => {
    p = await startProduct();
    const { tenantId } = await activeTenant(p);
    const token = await tenantToken(p, tenantId);
    for (const path of ['', '/timeline', '/entitlements']) {
      const response = await p.inject({ method: 'GET', url: `/tenants/${tenantId}${path}`, token });
      expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
      expect(response.json()).toMatchObject({ tenantId });
    }
    const run = await p.inject({
      method: 'GET',
      url: `/tenants/${tenantId}/workflows/${someUuid}`,
      token,
    });
    expect(run.statusCode, 'a run it does not have: 404, not 403').toBe(404);
  });

  it('is refused (403) for every other tenant and every operator route, changing nothing', async () => {
    p = await startProduct();
    const mine = await activeTenant(p);
    const other = await activeTenant(p);
    const token = await tenantToken(p, mine.tenantId);
    const ops = (await operations(p)).filter((op) => op.access !== 'public');
    const before = await snapshot(p);
    const otherBefore = await p.tenant(other.tenantId);
    for (const op of ops) {
      const method = op.method.toUpperCase() as 'GET';
      if (op.access === 'operator') {
        // Even about its own tenant: tokens, lifecycle, edition, flags are operators' work.
        const response = await p.inject({
          method,
          url: urlOf(op.path, mine.tenantId),
          token,
          payload: {},
        });
        expect(response.statusCode, `${op.method} ${op.path}`).toBe(403);
        expectProblem(response, 403);
      }
      if (op.path.includes('{id}')) {
        const response = await p.inject({
          method,
          url: urlOf(op.path, other.tenantId),
          token,
          payload: {},
        });
        expect(response.statusCode, `${op.method} ${op.path} of another tenant`).toBe(403);
      }
    }
    await expectUnchanged(p, before);
    expect(await p.tenant(other.tenantId)).toEqual(otherBefore);
  });

  it('cannot be turned into an operator by claiming the role in a token it did not sign', async () => {
    p = await startProduct();
    const { tenantId } = await activeTenant(p);
    const token = await tenantToken(p, tenantId);
    const [header, , signature] = token.split('.');
    const claims = Buffer.from(JSON.stringify({ role: 'admin', tenantId })).toString('base64url');
    const response = await p.inject({
      method: 'GET',
      url: '/tenants',
      token: `${header}.${claims}.${signature}`,
    });
    expectProblem(response, 401);
  });
});

describe('secrets', () => {
  it('never writes a token or a secret to the log', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    p = await startProduct({ logStream: stream, logLevel: 'trace' });
    const { tenantId } = await activeTenant(p);
    const token = await tenantToken(p, tenantId);
    await p.inject({ method: 'GET', url: `/tenants/${tenantId}`, token });
    await p.inject({ method: 'GET', url: '/tenants', token: 'wrong' });
    const log = lines.join('');
    expect(log).toContain(tenantId);
    for (const secret of [adminToken, jwtSecret, token]) expect(log).not.toContain(secret);
  });

  it('refuses to start in production without ADMIN_TOKEN and JWT_SECRET', () => {
    const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://app.example.com' };
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, ADMIN_TOKEN: adminToken })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ ...production, JWT_SECRET: jwtSecret })).toThrow(/ADMIN_TOKEN/);
    expect(
      loadConfig({ ...production, ADMIN_TOKEN: adminToken, JWT_SECRET: jwtSecret }).production,
    ).toBe(true);
    // A worker serves no API, but signs the activation codes its e-mails carry.
    const worker = { ...production, ROLE: 'worker', BUS_URL: 'amqp://mq' };
    expect(() => loadConfig(worker)).toThrow(/JWT_SECRET/);
    expect(loadConfig({ ...worker, JWT_SECRET: jwtSecret }).role).toBe('worker');
  });

  it('refuses secrets shorter than 32 bytes in production, and says how to make one', () => {
    const short = adminToken.slice(0, 31);
    for (const env of [
      { ADMIN_TOKEN: short, JWT_SECRET: jwtSecret },
      { ADMIN_TOKEN: adminToken, JWT_SECRET: short },
    ]) {
      expect(() =>
        loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://app.example.com', ...env }),
      ).toThrow(/must be at least 32 bytes when NODE_ENV=production.*openssl rand/);
    }
    // In development a short secret is the developer's business.
    expect(loadConfig({ ADMIN_TOKEN: short, JWT_SECRET: short }).adminToken).toBe(short);
  });

  it('in development, generates missing secrets once, owner-only, and keeps them across restarts', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'secrets');
    const first = resolveSecrets({ adminToken: undefined, jwtSecret: undefined }, dir);
    expect(first.adminToken.length).toBeGreaterThanOrEqual(32);
    expect(first.generated).toHaveLength(2);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(first.adminToken);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o077).toBe(0);
    const again = resolveSecrets({ adminToken: undefined, jwtSecret: undefined }, dir);
    expect(again).toEqual(first);
    const configured = resolveSecrets({ adminToken: 'mine', jwtSecret: 'ours' }, dir);
    expect(configured).toEqual({ adminToken: 'mine', jwtSecret: 'ours', generated: [] });
  });
});
