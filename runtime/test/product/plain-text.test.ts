/**
 * What a caller writes stays text: a name is one line without control characters, no e-mail
 * carries a name a sign-up chose, and no string the product would store holds NUL or half a
 * UTF-16 surrogate pair (a 500 on PostgreSQL, silently kept on SQLite).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflows } from '../../src/saga/definitions.js';
import { activeTenant, expectProblem, expectUnchanged, snapshot } from './api-support.js';
import { infrastructure } from './infrastructure.js';
import { nextSlug, productPerTest } from './harness.js';
import { mailText } from './mail-support.js';

const product = productPerTest();

const signUpBody = (slug = nextSlug()) => ({
  slug,
  name: `Tenant ${slug}`,
  owner: { email: `owner@${slug}.test`, name: 'Owner' },
});

const onboardingWork = [...workflows.onboarding.steps, ...workflows.onboarding.reactions];
const mailsActivation = onboardingWork.some(
  (step) => step.service === 'notification' && step.on === 'UserInvited',
);

describe(`names on ${infrastructure}`, () => {
  const controls: [string, (body: ReturnType<typeof signUpBody>) => object, string][] = [
    ['a line break in the name', (b) => ({ ...b, name: 'Acme\nhttps://evil.example' }), '/name'],
    ['a carriage return in the name', (b) => ({ ...b, name: 'Acme\r' }), '/name'],
    [
      'a tab in the owner name',
      (b) => ({ ...b, owner: { ...b.owner, name: 'A\tB' } }),
      '/owner/name',
    ],
    [
      'an escape in the owner name',
      (b) => ({ ...b, owner: { ...b.owner, name: 'A\u001b[31m' } }),
      '/owner/name',
    ],
    ['a C1 control (NEL) in the name', (b) => ({ ...b, name: 'Acme\u0085' }), '/name'],
  ];

  it.each(controls)(
    'refuses %s with a 400 naming the field, and creates nothing',
    async (_what, make, path) => {
      const p = await product();
      const before = await snapshot(p);
      const response = await p.inject({
        method: 'POST',
        url: '/tenants',
        payload: make(signUpBody()),
        token: null,
      });
      const problem = expectProblem(response, 400);
      expect(problem.errors).toEqual([
        {
          in: 'body',
          path,
          message:
            'must be one line of plain text: no line breaks, tabs or other control characters',
        },
      ]);
      await expectUnchanged(p, before);
    },
  );

  it('takes names in any script, with spaces and punctuation', async () => {
    const p = await product();
    const response = await p.inject({
      method: 'POST',
      url: '/tenants',
      payload: {
        ...signUpBody(),
        name: 'Ærø & Søn — 東京 (β)',
        owner: { email: 'o@x.test', name: 'Zoë O’Brien' },
      },
      token: null,
    });
    expect(response.statusCode, response.body).toBe(202);
  });

  it.runIf(mailsActivation)(
    'leaves the names a sign-up chose out of the activation e-mail, so none becomes a link',
    async () => {
      const p = await product();
      const { tenantId } = await p.signUp({
        name: 'Log in at https://evil.example/login or www.evil.example',
        owner: { email: 'victim@example.test', name: 'evil.example/reset' },
      });
      await p.settle();
      const [mail] = p.mails().filter((name) => name.includes('-activation-'));
      const text = mailText(readFileSync(join(p.dir, 'mail', mail!), 'utf8'));
      expect(text).not.toMatch(/evil/);
      expect(text).toContain(`/activate#tenant=${tenantId}&code=`);
      expect(p.mail(mail!)).not.toMatch(/text\/html/i);
    },
  );
});

describe(`NUL and unpaired surrogates on ${infrastructure}`, () => {
  const bad: [string, string, string][] = [
    [
      'NUL in the name',
      '{"slug":"%s","name":"Acme\\u0000","owner":{"email":"o@%s.test","name":"O"}}',
      'body /name',
    ],
    [
      'a lone high surrogate in the owner name',
      '{"slug":"%s","name":"Acme","owner":{"email":"o@%s.test","name":"O\\ud800"}}',
      'body /owner/name',
    ],
    [
      'a lone low surrogate in the name',
      '{"slug":"%s","name":"\\udc00Acme","owner":{"email":"o@%s.test","name":"O"}}',
      'body /name',
    ],
    [
      'NUL in an unknown key',
      '{"slug":"%s","name":"Acme","owner":{"email":"o@%s.test","name":"O"},"x\\u0000":1}',
      'body /x\\u0000',
    ],
  ];

  it.each(bad)(
    'refuses %s in a sign-up with a 400 saying where, and creates nothing',
    async (_what, json, where) => {
      const p = await product();
      const before = await snapshot(p);
      const slug = nextSlug();
      const response = await p.inject({
        method: 'POST',
        url: '/tenants',
        payload: json.replaceAll('%s', slug),
        headers: { 'content-type': 'application/json' },
        token: null,
      });
      const problem = expectProblem(response, 400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(problem.detail).toBe(
        `${where}: must not contain NUL (U+0000) or an unpaired UTF-16 surrogate`,
      );
      await expectUnchanged(p, before);
    },
  );

  it('takes a well-formed pair (an emoji) in a name', async () => {
    const p = await product();
    const response = await p.inject({
      method: 'POST',
      url: '/tenants',
      payload: { ...signUpBody(), name: 'Acme \ud83d\ude80' },
      token: null,
    });
    expect(response.statusCode, response.body).toBe(202);
  });

  it("refuses them in another route's body: a decommission's reason, and the tenant stays", async () => {
    const p = await product();
    const { tenantId } = await activeTenant(p);
    for (const reason of ['closing\u0000', 'closing \ud800']) {
      const response = await p.inject({
        method: 'POST',
        url: `/tenants/${tenantId}/decommission`,
        payload: { reason },
      });
      expect(expectProblem(response, 400).errors).toEqual([
        { in: 'body', path: '/reason', message: expect.stringContaining('NUL') },
      ]);
    }
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Active');
  });

  it('refuses NUL in a query and a path parameter', async () => {
    const p = await product();
    expect(
      expectProblem(await p.inject({ method: 'GET', url: '/tenants?q=a%00b' }), 400).detail,
    ).toBe('querystring /q: must not contain NUL (U+0000) or an unpaired UTF-16 surrogate');
    expect(
      expectProblem(await p.inject({ method: 'GET', url: '/tenants/a%00b' }), 400).detail,
    ).toMatch(/^params \/id: must not contain NUL/);
  });
});
