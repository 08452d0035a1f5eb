/**
 * Who is calling. `Authorization: Bearer <token>` carries either the operators' `ADMIN_TOKEN`
 * or a JWT (HS256, signed with `JWT_SECRET`) whose `role` claim is `admin`, `tenant` or `signup`,
 * a tenant or sign-up token naming its `tenantId`. A sign-up's token (its `progressToken`) reads
 * that tenant's progress and nothing else: routes must say they take it (`access: 'progress'`).
 * A JWT must expire (`exp`) and name this product as its issuer and its audience (`iss`, `aud`);
 * a tenant's tokens are refused once its tenant is decommissioned. Every
 * route says who may call it (`config.access`); a route that says nothing is for operators only,
 * so a forgotten declaration fails closed.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../runtime/clock.js';
import { problem } from './problem.js';

/**
 * `public`: anyone; `tenant`: an operator, or the tenant that the route's `:id` names;
 * `progress`: as `tenant`, and the sign-up of that tenant with its progress token.
 */
export type Access = 'public' | 'operator' | 'tenant' | 'progress';

export type Principal =
  | { readonly role: 'operator'; readonly via: 'admin-token' | 'jwt' }
  | { readonly role: 'tenant'; readonly tenantId: string }
  | { readonly role: 'signup'; readonly tenantId: string };

/** How long a sign-up's progress token is valid: long enough to watch its onboarding. */
export const progressTokenTtlSeconds = 3600;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface AuthOptions {
  readonly adminToken: string;
  readonly jwtSecret: string;
  readonly clock: Clock;
  /** The `iss` and `aud` of every token: the product's name. */
  readonly issuer: string;
  /** Whether a tenant's tokens are void (its tenant is decommissioned, or gone). */
  readonly tenantClosed?: (tenantId: string) => Promise<boolean>;
}

/** A fixed-length digest, so that comparing never leaks the token's length or a prefix. */
const digest = (value: string) => createHash('sha256').update(value).digest();

const unauthorized = (detail: string) =>
  problem(401, 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer error="invalid_token"' });

export class Auth {
  readonly #admin: Buffer;
  readonly #key: Uint8Array;
  readonly #options: AuthOptions;

  constructor(options: AuthOptions) {
    this.#admin = digest(options.adminToken);
    this.#key = new TextEncoder().encode(options.jwtSecret);
    this.#options = options;
  }

  /** A token for one tenant, valid for `ttlSeconds`. */
  mintTenantToken(tenantId: string, ttlSeconds: number) {
    return this.#mint('tenant', tenantId, ttlSeconds);
  }

  /** A sign-up's token: it reads that tenant's progress (`GET /tenants/{id}`) and nothing else. */
  mintProgressToken(tenantId: string) {
    return this.#mint('signup', tenantId, progressTokenTtlSeconds);
  }

  async #mint(role: 'tenant' | 'signup', tenantId: string, ttlSeconds: number) {
    const now = this.#options.clock.now();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    const token = await new SignJWT({ role, tenantId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(tenantId)
      .setIssuer(this.#options.issuer)
      .setAudience(this.#options.issuer)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .sign(this.#key);
    return { token, expiresAt };
  }

  /** The caller of a request, or a 401 problem. */
  async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw unauthorized('this resource needs `Authorization: Bearer <token>`');
    const match = /^Bearer +([^\s]+)\s*$/i.exec(header);
    if (!match) throw unauthorized('the Authorization header must be `Bearer <token>`');
    const token = match[1]!;
    if (timingSafeEqual(digest(token), this.#admin))
      return { role: 'operator', via: 'admin-token' };
    return this.#verify(token);
  }

  async #verify(token: string): Promise<Principal> {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: this.#options.issuer,
        audience: this.#options.issuer,
        requiredClaims: ['exp'],
        currentDate: this.#options.clock.now(),
      }));
    } catch (error) {
      throw unauthorized(whyRefused(error));
    }
    if (claims.role === 'admin') return { role: 'operator', via: 'jwt' };
    const { role, tenantId } = claims;
    if ((role === 'tenant' || role === 'signup') && typeof tenantId === 'string' && tenantId) {
      if (await this.#options.tenantClosed?.(tenantId))
        throw unauthorized('the token belongs to a tenant that was decommissioned');
      return { role, tenantId };
    }
    throw unauthorized(
      'the token names no known role (`admin`, or `tenant` or `signup` with a `tenantId`)',
    );
  }
}

function whyRefused(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the token is not signed by this product';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token must be signed with HS256';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return 'the token must expire: it has no `exp` claim';
    if (error.claim === 'aud') return 'the token is meant for another audience (`aud`)';
    if (error.claim === 'iss') return 'the token was issued by someone else (`iss`)';
    return `the token is not valid: ${error.message}`;
  }
  return 'the token is malformed';
}

/**
 * Checks every request against its route's `access` before the body is even read, so an
 * unauthenticated caller learns nothing about what the route would accept. A request that no
 * route matches has nothing to protect: it is answered 404, token or not (a 401 would tell a
 * browser asking for a page that is not there to sign in, and a client that a typo is a refusal).
 */
export function enforceAccess(app: FastifyInstance, auth: Auth): void {
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const tenantId = tenantParam(request);
    if (tenantId) request.log = request.log.child({ tenantId });
    const access = request.routeOptions.config?.access ?? 'operator';
    if (access === 'public') return;
    const principal = await auth.authenticate(request.headers.authorization);
    request.principal = principal;
    if (principal.role === 'operator') return;
    if (principal.role === 'signup' && access !== 'progress')
      throw problem(
        403,
        'Forbidden',
        "a progress token reads its tenant's progress (GET /tenants/{id}) and nothing else",
      );
    if (access === 'operator')
      throw problem(
        403,
        'Forbidden',
        'this operation is for operators; a tenant token cannot do it',
      );
    if (tenantId !== principal.tenantId)
      throw problem(403, 'Forbidden', 'a tenant token gives access to its own tenant only');
  });
}

/**
 * Who a request comes from, for scoping what it claims (an `Idempotency-Key`): the principal of
 * its bearer token, or, without a valid one, its client address (`request.ip`, the client's
 * behind a trusted proxy: `TRUST_PROXY`). On a public route the token is optional, so one that
 * does not verify only makes the caller anonymous.
 */
export async function clientOf(request: FastifyRequest, auth: Auth): Promise<string> {
  let principal = request.principal;
  if (!principal && request.headers.authorization)
    principal = await auth.authenticate(request.headers.authorization).catch(() => undefined);
  switch (principal?.role) {
    case 'operator':
      return 'operator';
    case 'tenant':
    case 'signup':
      return `${principal.role}:${principal.tenantId}`;
    default:
      return `address:${request.ip}`;
  }
}

/** The tenant a `/tenants/:id…` route is about. */
const tenantParam = (request: FastifyRequest): string | undefined =>
  request.routeOptions.url?.startsWith('/tenants/:id')
    ? (request.params as { id?: string }).id
    : undefined;
