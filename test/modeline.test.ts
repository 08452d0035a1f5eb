import { describe, expect, it } from 'vitest';
import { withModeline } from '../src/generators/modeline.js';

const schema = './node_modules/saas-gen/schema/blueprint.schema.json';

describe('withModeline', () => {
  it.each([
    [
      'kept',
      `# yaml-language-server: $schema=${schema}\nblueprint: 1\n`,
      `# yaml-language-server: $schema=${schema}\nblueprint: 1\n`,
    ],
    [
      'rewritten',
      '# yaml-language-server: $schema=../../schema/blueprint.schema.json\nblueprint: 1\n',
      `# yaml-language-server: $schema=${schema}\nblueprint: 1\n`,
    ],
    [
      'rewritten',
      '# my notes\n#   yaml-language-server:  $schema=https://example.com/s.json\nblueprint: 1\n',
      `# my notes\n# yaml-language-server: $schema=${schema}\nblueprint: 1\n`,
    ],
    ['added', 'blueprint: 1\n', `# yaml-language-server: $schema=${schema}\nblueprint: 1\n`],
    [
      'added',
      '---\n# yaml-language-server: $schema=x.json\nblueprint: 1\n',
      `# yaml-language-server: $schema=${schema}\n---\n# yaml-language-server: $schema=x.json\nblueprint: 1\n`,
    ],
    [
      'rewritten',
      '# yaml-language-server: $schema=x.json\r\nblueprint: 1\r\n',
      `# yaml-language-server: $schema=${schema}\r\nblueprint: 1\r\n`,
    ],
    ['added', 'blueprint: 1\r\n', `# yaml-language-server: $schema=${schema}\r\nblueprint: 1\r\n`],
  ])('%s: %j', (change, text, expected) => {
    const result = withModeline(text, schema);
    expect(result.change).toBe(change);
    expect(result.text).toBe(expected);
  });
});
