/** The team's handlers file gains the placeholders of new steps, and nothing else changes. */
import { describe, expect, it } from 'vitest';
import { addHandlerMethods } from '../src/sync/handler-methods.js';
import type { HandlerMethod } from '../src/sync/handler-methods.js';

/** A placeholder as the template writes it: at column 0, its body indented by two spaces. */
const placeholder = (name: string, step: string, returns?: string): HandlerMethod => ({
  name,
  text: [
    `async ${name}(_message, context) {`,
    `  context.log.warn({ step: '${step}' }, 'storage.${name} is a placeholder');`,
    ...(returns ? [`  return ${returns};`] : []),
    '}',
  ].join('\n'),
});
const onUpload = placeholder('onUpload', 'upload', "{ url: '', bytes: 0 }");
const onScan = placeholder('onScan', 'scan');
const undoScan = placeholder('undoScan', 'scan');

describe('addHandlerMethods adds what the handlers lack', () => {
  it.each([
    {
      style: 'a factory function returning the object',
      source: `import type { StorageDependencies, StorageHandlers } from './contract.js';

export function storageHandlers(deps: StorageDependencies): StorageHandlers {
  // The bucket client comes from main.ts.
  return {
    async onUpload(message, context) {
      const url = await deps.bucket.put(message.payload.name);
      return { url, bytes: 0 };
    },
  };
}
`,
      wanted: [onUpload, onScan],
      expected: `import type { StorageDependencies, StorageHandlers } from './contract.js';

export function storageHandlers(deps: StorageDependencies): StorageHandlers {
  // The bucket client comes from main.ts.
  return {
    async onUpload(message, context) {
      const url = await deps.bucket.put(message.payload.name);
      return { url, bytes: 0 };
    },
    async onScan(_message, context) {
      context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');
    },
  };
}
`,
      added: ['onScan'],
    },
    {
      style: 'the exported object of a product made by saas-gen 0.2.0',
      source: `export const storageHandlers: StorageHandlers = {
  async onScan(message, context) {
    context.log.info('scanned');
  },
};
`,
      wanted: [onScan, onUpload],
      expected: `export const storageHandlers: StorageHandlers = {
  async onScan(message, context) {
    context.log.info('scanned');
  },
  async onUpload(_message, context) {
    context.log.warn({ step: 'upload' }, 'storage.onUpload is a placeholder');
    return { url: '', bytes: 0 };
  },
};
`,
      added: ['onUpload'],
    },
    {
      style: 'an arrow function returning the object in parentheses',
      source: `export const storageHandlers = (deps: StorageDependencies): StorageHandlers => ({
  async onScan() {
    await deps.scanner.run();
  },
});
`,
      wanted: [onScan, undoScan],
      expected: `export const storageHandlers = (deps: StorageDependencies): StorageHandlers => ({
  async onScan() {
    await deps.scanner.run();
  },
  async undoScan(_message, context) {
    context.log.warn({ step: 'scan' }, 'storage.undoScan is a placeholder');
  },
});
`,
      added: ['undoScan'],
    },
    {
      style: 'an arrow function with a body, whose inner functions return too',
      source: `export const storageHandlers = (deps: D): H => {
  const size = (name: string) => {
    return name.length;
  };
  return {
    async onUpload(message) {
      return { url: '', bytes: size(message.payload.name) };
    },
  } satisfies H;
};
`,
      wanted: [onUpload, onScan],
      expected: `export const storageHandlers = (deps: D): H => {
  const size = (name: string) => {
    return name.length;
  };
  return {
    async onUpload(message) {
      return { url: '', bytes: size(message.payload.name) };
    },
    async onScan(_message, context) {
      context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');
    },
  } satisfies H;
};
`,
      added: ['onScan'],
    },
    {
      style: 'a factory returning a constant it built',
      source: `export function storageHandlers(deps: D): H {
  const handlers: H = {
    onScan: deps.scan,
  };
  return handlers;
}
`,
      wanted: [onScan, undoScan],
      expected: `export function storageHandlers(deps: D): H {
  const handlers: H = {
    onScan: deps.scan,
    async undoScan(_message, context) {
      context.log.warn({ step: 'scan' }, 'storage.undoScan is a placeholder');
    },
  };
  return handlers;
}
`,
      added: ['undoScan'],
    },
    {
      style: 'an empty object returned by a factory',
      source: `export function storageHandlers(deps: D): H {
  return {};
}
`,
      wanted: [onScan],
      expected: `export function storageHandlers(deps: D): H {
  return {
    async onScan(_message, context) {
      context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');
    },
  };
}
`,
      added: ['onScan'],
    },
    {
      style: 'an empty exported object',
      source: 'export const storageHandlers: H = {};\n',
      wanted: [onScan, undoScan],
      expected: `export const storageHandlers: H = {
  async onScan(_message, context) {
    context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');
  },
  async undoScan(_message, context) {
    context.log.warn({ step: 'scan' }, 'storage.undoScan is a placeholder');
  },
};
`,
      added: ['onScan', 'undoScan'],
    },
    {
      style: 'an empty object holding only a comment',
      source: `export function storageHandlers(deps: D): H {
  return {
    // Steps come here.
  };
}
`,
      wanted: [onScan],
      expected: `export function storageHandlers(deps: D): H {
  return {
    // Steps come here.
    async onScan(_message, context) {
      context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');
    },
  };
}
`,
      added: ['onScan'],
    },
    {
      style: 'members without a trailing comma, separated by blank lines',
      source: `export const storageHandlers: H = {
  async onUpload() {
    return { url: '', bytes: 0 };
  },

  async onScan() {}
};
`,
      wanted: [onUpload, onScan, undoScan, placeholder('onPurge', 'purge')],
      expected: `export const storageHandlers: H = {
  async onUpload() {
    return { url: '', bytes: 0 };
  },

  async onScan() {},

  async undoScan(_message, context) {
    context.log.warn({ step: 'scan' }, 'storage.undoScan is a placeholder');
  },

  async onPurge(_message, context) {
    context.log.warn({ step: 'purge' }, 'storage.onPurge is a placeholder');
  },
};
`,
      added: ['undoScan', 'onPurge'],
    },
    {
      style: 'an object on one line',
      source: 'export const storageHandlers: H = { onUpload };\n',
      wanted: [onUpload, onScan],
      expected: `export const storageHandlers: H = { onUpload,${' '}
  async onScan(_message, context) {
    context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');
  },
};
`,
      added: ['onScan'],
    },
    {
      style: 'a local object exported under another name',
      source: `const handlers = {
\tonUpload,
};
export { handlers as storageHandlers };
`,
      wanted: [onUpload, onScan],
      expected: `const handlers = {
\tonUpload,
\tasync onScan(_message, context) {
\t  context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');
\t},
};
export { handlers as storageHandlers };
`,
      added: ['onScan'],
    },
    {
      style: 'a file with Windows line ends',
      source: 'export const storageHandlers: H = {\r\n  onUpload,\r\n};\r\n',
      wanted: [onUpload, onScan],
      expected:
        'export const storageHandlers: H = {\r\n  onUpload,\r\n' +
        "  async onScan(_message, context) {\r\n    context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');\r\n  },\r\n" +
        '};\r\n',
      added: ['onScan'],
    },
  ])('in $style', ({ source, wanted, expected, added }) => {
    const edit = addHandlerMethods(source, 'storageHandlers', wanted);
    expect(edit).toEqual({ ok: true, text: expected, added, unknown: [] });
    // Idempotent: what was added is there the next time.
    expect(addHandlerMethods(expected, 'storageHandlers', wanted)).toEqual({
      ok: true,
      text: expected,
      added: [],
      unknown: [],
    });
  });

  it('leaves the file byte for byte when every method is there, however it is written', () => {
    const source = `export const storageHandlers: H = {
  async onUpload() { return { url: '', bytes: 0 }; },
  onScan: scanWith(deps),
  undoScan,
  'onPurge': async () => {},
  get onCount() { return count; },
};
`;
    const wanted = [
      onUpload,
      onScan,
      undoScan,
      ...['onPurge', 'onCount'].map((n) => placeholder(n, n)),
    ];
    const edit = addHandlerMethods(source, 'storageHandlers', wanted);
    expect(edit).toEqual({ ok: true, text: source, added: [], unknown: [] });
    expect(edit.ok && edit.text).toBe(source);
  });

  it('reports the methods of removed steps and keeps them', () => {
    const source = `export function storageHandlers(deps: D): H {
  return {
    async onUpload() {
      return deps.upload();
    },
    async onLegacy() {},
    [computedKey]: noop,
  };
}
`;
    const edit = addHandlerMethods(source, 'storageHandlers', [onUpload, onScan]);
    expect(edit).toMatchObject({
      ok: true,
      added: ['onScan'],
      unknown: ['onLegacy', '[computedKey]'],
    });
    expect(edit.ok && edit.text).toContain('    async onLegacy() {},\n');
    expect(addHandlerMethods(source, 'storageHandlers', [onUpload])).toEqual({
      ok: true,
      text: source,
      added: [],
      unknown: ['onLegacy', '[computedKey]'],
    });
  });

  it("keeps the team's comments and odd formatting byte for byte", () => {
    const source = `/* header */ import type {H} from './contract.js' // no semicolons here

export   function storageHandlers (deps:D) :H {
    /** The handlers. */
    return   {   // opening comment
        /* first */ async onUpload ( m ) { return deps.up( m ) } , // trailing
        onScan : deps.scan, /* after the comma */

        // async oldStep() {},
        /* a block
           comment */
    }   as H
}
`;
    const inserted =
      '        async undoScan(_message, context) {\n' +
      "          context.log.warn({ step: 'scan' }, 'storage.undoScan is a placeholder');\n" +
      '        },\n';
    const edit = addHandlerMethods(source, 'storageHandlers', [onUpload, onScan, undoScan]);
    expect(edit).toMatchObject({ ok: true, added: ['undoScan'], unknown: [] });
    const text = edit.ok ? edit.text : '';
    // After the last member and what follows it, on the line before the closing brace.
    expect(text).toContain(`           comment */\n${inserted}    }   as H\n`);
    // The result less the inserted lines is the input.
    expect(text.replace(inserted, '')).toBe(source);
  });

  it('adds a comma after a last member that has none, before its trailing comment', () => {
    const source = 'export const storageHandlers: H = {\n  onUpload // the upload\n}\n';
    const edit = addHandlerMethods(source, 'storageHandlers', [onUpload, onScan]);
    expect(edit.ok && edit.text).toBe(
      'export const storageHandlers: H = {\n  onUpload, // the upload\n' +
        "  async onScan(_message, context) {\n    context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');\n  },\n" +
        '}\n',
    );
  });

  it('keeps a byte order mark', () => {
    const edit = addHandlerMethods(
      '\uFEFFexport const storageHandlers = {};\n',
      'storageHandlers',
      [onScan],
    );
    expect(edit.ok && edit.text).toBe(
      "\uFEFFexport const storageHandlers = {\n  async onScan(_message, context) {\n    context.log.warn({ step: 'scan' }, 'storage.onScan is a placeholder');\n  },\n};\n",
    );
  });

  it("moves an indented method text to the members' indentation", () => {
    const indentedText = { name: 'onScan', text: '\n    async onScan() {\n      return;\n    }\n' };
    const edit = addHandlerMethods('export const storageHandlers = {};\n', 'storageHandlers', [
      indentedText,
    ]);
    expect(edit.ok && edit.text).toBe(
      'export const storageHandlers = {\n  async onScan() {\n    return;\n  },\n};\n',
    );
  });
});

describe('addHandlerMethods says why it cannot edit a file', () => {
  it.each([
    {
      problem: 'no such export',
      source: 'export const otherHandlers = {};\nexport function helper() {}\n',
      reason: /no export named `storageHandlers` \(it exports otherHandlers, helper\)/,
    },
    {
      problem: 'a declaration that is not exported',
      source: 'const storageHandlers = {};\n',
      reason: /`storageHandlers` is declared but not exported/,
    },
    {
      problem: 'a class of that name',
      source: 'export class storageHandlers {}\n',
      reason: /`storageHandlers` is exported by a ClassDeclaration/,
    },
    {
      problem: 'a re-export',
      source: "export { storageHandlers } from './impl.js';\n",
      reason: /re-exported from '\.\/impl\.js'/,
    },
    {
      problem: 'not an object literal',
      source: 'export const storageHandlers = makeHandlers(deps);\n',
      reason: /`makeHandlers\(deps\)`, not an object literal/,
    },
    {
      problem: 'an object only spread from elsewhere',
      source: 'export const storageHandlers = { ...shared };\n',
      reason: /only spread from elsewhere/,
    },
    {
      problem: 'a spread that may hold the missing method',
      source: 'export const storageHandlers = { onUpload, ...shared };\n',
      reason: /cannot tell whether it already has `onScan`/,
    },
    {
      problem: 'a factory with two returns',
      source:
        'export function storageHandlers(deps: D): H {\n  if (deps.fake) return fake;\n  return {};\n}\n',
      reason: /has 2 return statements/,
    },
    {
      problem: 'a factory that returns nothing',
      source: 'export function storageHandlers(deps: D): void {\n  register(deps);\n}\n',
      reason: /has no return statement/,
    },
    {
      problem: 'a syntax error',
      source: 'export const storageHandlers = {\n  async onUpload( {\n};\n',
      reason: /the file does not parse \(line \d+: .+\)/,
    },
  ])('$problem', ({ source, reason }) => {
    const edit = addHandlerMethods(source, 'storageHandlers', [onUpload, onScan]);
    expect(edit.ok).toBe(false);
    expect(edit.ok ? '' : edit.reason).toMatch(reason);
  });

  it('edits an object with a spread when nothing is missing', () => {
    const source = 'export const storageHandlers = { onUpload, ...shared };\n';
    expect(addHandlerMethods(source, 'storageHandlers', [onUpload])).toEqual({
      ok: true,
      text: source,
      added: [],
      unknown: [],
    });
  });

  it('refuses a method text that would not parse, rather than break the file', () => {
    const broken = { name: 'onScan', text: 'async onScan( {' };
    const edit = addHandlerMethods('export const storageHandlers = {};\n', 'storageHandlers', [
      broken,
    ]);
    expect(edit).toMatchObject({ ok: false, reason: expect.stringContaining('bug in saas-gen') });
  });
});
