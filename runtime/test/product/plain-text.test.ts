/**
 * What a caller writes stays text: a name is one line without control characters, no e-mail
 * carries a name a sign-up chose, and no string the product would store holds NUL or half a
 * UTF-16 surrogate pair (a 500 on PostgreSQL, silently kept on SQLite).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflows } from '../../src/saga/definitions.js';
import { expectProblem, expectUnchanged, snapshot } from './api-support.js';
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
