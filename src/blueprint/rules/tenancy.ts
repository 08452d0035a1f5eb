/** Rules about tenancy and lifecycle policy. */
import type { Rule } from './context.js';

export const invalidRegex: Rule = {
  code: 'invalid-regex',
  description:
    'The slug pattern compiles as an ECMAScript (unicode) regular expression and is anchored with ^ and $.',
  check({ model, data, report }) {
    const written = (data as { tenancy?: { slug?: unknown } } | null)?.tenancy?.slug;
    if (typeof written !== 'string') return;
    const pattern = model.tenancy.slugPattern;
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, 'u');
    } catch (error) {
      report({
        code: 'invalid-regex',
        message: `slug pattern does not compile: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`,
        pointer: '/tenancy/slug',
        hint: 'write an ECMAScript regular expression such as `^[a-z][a-z0-9-]{2,39}$`; in YAML, quote it',
      });
      return;
    }
    if (!pattern.startsWith('^') || !pattern.endsWith('$')) {
      report({
        code: 'invalid-regex',
        message: `slug pattern \`${pattern}\` is not anchored, so it would accept any slug that merely contains a match`,
        pointer: '/tenancy/slug',
        hint: `anchor it: \`^${pattern.replace(/^\^/, '').replace(/\$$/, '')}$\``,
      });
    } else if (regex.test('')) {
      report({
        code: 'invalid-regex',
        message: 'slug pattern accepts the empty slug',
        pointer: '/tenancy/slug',
        hint: 'require at least one character, e.g. `^[a-z][a-z0-9-]{2,39}$`',
      });
    }
  },
};

export const lifecycleConflict: Rule = {
  code: 'lifecycle-conflict',
  description: 'An event cannot both suspend and reinstate a tenant.',
  check({ model, report }) {
    const suspend = new Map(model.lifecycle.suspendOn.map((entry) => [entry.name, entry.pointer]));
    for (const { name, pointer } of model.lifecycle.reinstateOn) {
      const other = suspend.get(name);
      if (other === undefined) continue;
      report({
        code: 'lifecycle-conflict',
        message: `\`${name}\` is listed both in \`suspendOn\` and \`reinstateOn\``,
        pointer,
        related: [{ pointer: other, message: 'also listed here' }],
        hint: 'an event moves a tenant one way only: remove it from one list',
      });
    }
  },
};
