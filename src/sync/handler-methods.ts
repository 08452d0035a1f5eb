/**
 * Adds the placeholder handlers of a service's new steps to its `handlers.ts`. That file is the
 * team's: saas-gen writes it once and never overwrites it, so when the blueprint later gains a
 * step, the method is spliced into the handlers object found in the file's syntax tree (ts-morph)
 * and every other byte (the team's code, comments and formatting) is kept as it was. It only ever
 * adds: a method whose step left the blueprint is reported, never removed. Pure: text in, text out.
 *
 * The object is the one returned by the exported factory (`export function xHandlers(deps) {
 * return { ... }; }`, or an arrow function), or, in a product made by saas-gen 0.2.0, the exported
 * object itself (`export const xHandlers: XHandlers = { ... };`).
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import type {
  Block,
  Node,
  ObjectLiteralElementLike,
  ObjectLiteralExpression,
  Project,
  SourceFile,
} from 'ts-morph';

let loaded: typeof TsMorph | undefined;
/**
 * ts-morph, loaded on first use: it bundles the TypeScript compiler, which a `generate` or
 * `check` that edits no handlers file should not pay for.
 */
const morph = (): typeof TsMorph =>
  (loaded ??= createRequire(import.meta.url)('ts-morph') as typeof TsMorph);

export interface HandlerMethod {
  /** method name, e.g. 'onUpload' */
  readonly name: string;
  /** the whole method text as saas-gen's template writes it, e.g.
   * "async onUpload(_message, context) {\n  context.log.warn({ step: 'upload' }, 'storage.onUpload is a placeholder: replace it with the real step');\n  return { url: '', bytes: 0 };\n}" */
  readonly text: string;
}

export type HandlerEdit =
  | {
      readonly ok: true;
      readonly text: string;
      readonly added: readonly string[];
      readonly unknown: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Adds to the handlers object exported as `exportName` in `source` every method of `wanted` it lacks, after its last member, indented like its other members.
 * `unknown`: the names of the object's methods/properties that are not in `wanted` (a removed step: reported, never deleted).
 * `text` is `source` unchanged (byte for byte) when nothing is added.
 * ok:false with a reason a person can act on when the object cannot be found (no such export, not an object literal, a spread-only object, a parse error...).
 */
export function addHandlerMethods(
  source: string,
  exportName: string,
  wanted: readonly HandlerMethod[],
): HandlerEdit {
  const project = new (morph().Project)({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: { noLib: true, noResolve: true },
  });
  // ts-morph drops a byte order mark from the text it parses, which would shift every position.
  const bom = source.startsWith('\uFEFF') ? '\uFEFF' : '';
  const code = source.slice(bom.length);
  const found = handlersIn(project, code, exportName);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const members = found.object.getProperties();
  const spreads = members.filter(morph().Node.isSpreadAssignment).length;
  if (spreads > 0 && spreads === members.length) {
    return failure(
      `\`${exportName}\` is only spread from elsewhere (\`${found.object.getText()}\`), so saas-gen ` +
        'cannot tell which methods it has: write its methods in the object literal itself, or add the new ones by hand',
    );
  }
  const present = members.map(memberName).filter((name) => name !== undefined);
  const wantedNames = new Set(wanted.map((method) => method.name));
  const unknown = [...new Set(present.filter((name) => !wantedNames.has(name)))];
  const missing = [...new Map(wanted.map((method) => [method.name, method])).values()].filter(
    (method) => !present.includes(method.name),
  );
  if (missing.length === 0) return { ok: true, text: source, added: [], unknown };
  if (spreads > 0) {
    return failure(
      `\`${exportName}\` spreads methods from elsewhere, so saas-gen cannot tell whether it already ` +
        `has ${missing.map((method) => `\`${method.name}\``).join(', ')}: add what is missing by hand`,
    );
  }
  const text = splice(code, insertions(code, found.object, missing));
  const added = missing.map((method) => method.name);
  const check = handlersIn(project, text, exportName);
  const now = 'reason' in check ? [] : check.object.getProperties().map(memberName);
  if ('reason' in check || added.some((name) => !now.includes(name))) {
    return failure(
      `adding ${added.map((name) => `\`${name}\``).join(', ')} to \`${exportName}\` would not leave ` +
        `valid TypeScript (${'reason' in check ? check.reason : 'the methods are not in the object'}): ` +
        'this is a bug in saas-gen; add the methods by hand',
    );
  }
  return { ok: true, text: bom + text, added, unknown };
}

type Found = { readonly object: ObjectLiteralExpression } | { readonly reason: string };

const failure = (reason: string): HandlerEdit => ({ ok: false, reason });

/** Parses `source` and finds the object literal of the handlers exported as `exportName`. */
function handlersIn(project: Project, source: string, exportName: string): Found {
  const file = project.createSourceFile('handlers.ts', source, { overwrite: true });
  const [error] = project.getProgram().getSyntacticDiagnostics(file);
  if (error) {
    const message = morph().ts.flattenDiagnosticMessageText(error.compilerObject.messageText, ' ');
    return {
      reason: `the file does not parse (line ${error.getLineNumber() ?? '?'}: ${message}): fix it so that saas-gen can add the handlers of new steps`,
    };
  }
  const local = exportedLocal(file, exportName);
  if (typeof local !== 'string') return local;
  const factory = file.getFunctions().find((fn) => fn.getName() === local && fn.hasBody());
  if (factory) return returnedObject(factory, factory.getBodyOrThrow() as Block, exportName);
  const initializer = file.getVariableDeclaration(local)?.getInitializer();
  if (initializer) return objectOf(initializer, file, exportName, new Set([local]));
  return {
    reason: `\`${exportName}\` is neither a function nor a constant with a value: saas-gen adds new steps' handlers to \`export function ${exportName}(deps) { return { ... }; }\` or \`export const ${exportName} = { ... };\``,
  };
}

/** The local name under which the file exports `exportName`, or why it does not. */
function exportedLocal(file: SourceFile, exportName: string): string | { readonly reason: string } {
  const exported: string[] = [];
  for (const statement of file.getStatements()) {
    if (morph().Node.isFunctionDeclaration(statement) && statement.hasExportKeyword()) {
      const name = statement.getName();
      if (name === exportName && !statement.hasDefaultKeyword()) return name;
      if (name) exported.push(name);
    } else if (morph().Node.isVariableStatement(statement) && statement.hasExportKeyword()) {
      const names = statement.getDeclarations().map((declaration) => declaration.getName());
      if (names.includes(exportName)) return exportName;
      exported.push(...names);
    } else if (morph().Node.isExportDeclaration(statement) && !statement.isTypeOnly()) {
      for (const specifier of statement.getNamedExports()) {
        const name = specifier.getAliasNode()?.getText() ?? specifier.getName();
        if (name !== exportName) {
          exported.push(name);
        } else if (statement.hasModuleSpecifier()) {
          return {
            reason: `\`${exportName}\` is re-exported from ${statement.getModuleSpecifier()?.getText() ?? 'another module'}: add the handlers of new steps there by hand`,
          };
        } else {
          return specifier.getName();
        }
      }
    } else if (morph().Node.isExportable(statement) && statement.hasExportKeyword()) {
      const name = morph().Node.hasName(statement) ? statement.getName() : undefined;
      if (name === exportName) {
        return {
          reason: `\`${exportName}\` is exported by a ${statement.getKindName()}: saas-gen adds new steps' handlers to \`export function ${exportName}(deps) { return { ... }; }\` or \`export const ${exportName} = { ... };\``,
        };
      }
      if (name) exported.push(name);
    }
  }
  const declared =
    file.getFunction(exportName) !== undefined ||
    file.getVariableDeclaration(exportName) !== undefined;
  const others = exported.length > 0 ? ` (it exports ${exported.join(', ')})` : '';
  return {
    reason: declared
      ? `\`${exportName}\` is declared but not exported: export it, as the service registry imports it by that name`
      : `the file has no export named \`${exportName}\`${others}: saas-gen adds new steps' handlers to the object that \`${exportName}\` returns or is; restore that export or add the handlers by hand`,
  };
}

/** The object literal that `node` evaluates to, looking through functions and local constants. */
function objectOf(
  node: Node,
  scope: Block | SourceFile,
  exportName: string,
  seen: ReadonlySet<string>,
): Found {
  const expression = unwrapped(node);
  if (morph().Node.isObjectLiteralExpression(expression)) return { object: expression };
  if (morph().Node.isArrowFunction(expression)) {
    const body = expression.getBody();
    return morph().Node.isBlock(body)
      ? returnedObject(expression, body, exportName)
      : objectOf(body, scope, exportName, seen);
  }
  if (morph().Node.isFunctionExpression(expression)) {
    return returnedObject(expression, expression.getBody() as Block, exportName);
  }
  if (morph().Node.isIdentifier(expression) && !seen.has(expression.getText())) {
    const initializer = scope.getVariableDeclaration(expression.getText())?.getInitializer();
    if (initializer) {
      return objectOf(initializer, scope, exportName, new Set([...seen, expression.getText()]));
    }
  }
  return {
    reason: `the handlers of \`${exportName}\` are \`${abridged(expression.getText())}\`, not an object literal written in the file: saas-gen can only add to a \`{ ... }\`; add the handlers of new steps by hand`,
  };
}

/** Looks through parentheses and type assertions: `({ ... })`, `{ ... } satisfies X`. */
function unwrapped(node: Node): Node {
  if (
    morph().Node.isParenthesizedExpression(node) ||
    morph().Node.isAsExpression(node) ||
    morph().Node.isSatisfiesExpression(node) ||
    morph().Node.isTypeAssertion(node) ||
    morph().Node.isNonNullExpression(node)
  ) {
    return unwrapped(node.getExpression());
  }
  return node;
}

const functionKinds = (): ReadonlySet<TsMorph.SyntaxKind> =>
  new Set([
    morph().SyntaxKind.FunctionDeclaration,
    morph().SyntaxKind.FunctionExpression,
    morph().SyntaxKind.ArrowFunction,
    morph().SyntaxKind.MethodDeclaration,
    morph().SyntaxKind.GetAccessor,
    morph().SyntaxKind.SetAccessor,
    morph().SyntaxKind.Constructor,
  ]);

/** The object that the function returns: it must have a single `return`, of an object. */
function returnedObject(fn: Node, body: Block, exportName: string): Found {
  const kinds = functionKinds();
  const returns = body
    .getDescendantsOfKind(morph().SyntaxKind.ReturnStatement)
    .filter((statement) => statement.getFirstAncestor((a) => kinds.has(a.getKind())) === fn);
  const [only] = returns;
  const expression = only?.getExpression();
  if (returns.length !== 1 || !expression) {
    return {
      reason: `\`${exportName}\` has ${returns.length === 0 ? 'no' : returns.length} return statement${returns.length === 1 ? ' without a value' : returns.length > 1 ? 's' : ''}: saas-gen adds new steps' handlers to the object of its one \`return { ... };\`; add them by hand`,
    };
  }
  return objectOf(expression, body, exportName, new Set());
}

/** A member's name as the object's key (`'on-x'` and `onX` alike), or none for a spread. */
function memberName(member: ObjectLiteralElementLike): string | undefined {
  if (morph().Node.isSpreadAssignment(member)) return undefined;
  const name = member.getNameNode();
  const key = morph().Node.isComputedPropertyName(name) ? name.getExpression() : name;
  if (morph().Node.isStringLiteral(key) || morph().Node.isNoSubstitutionTemplateLiteral(key)) {
    return key.getLiteralValue();
  }
  if (morph().Node.isNumericLiteral(key)) return String(key.getLiteralValue());
  return name.getText();
}

interface Insertion {
  readonly at: number;
  readonly text: string;
}

/**
 * Where the methods go: before the object's closing brace, on lines of their own indented like
 * the first member that starts a line, separated as the last two members are (by a blank line or
 * not). The last member gets a trailing comma if it has none, as Prettier writes multi-line
 * objects.
 */
function insertions(
  source: string,
  object: ObjectLiteralExpression,
  methods: readonly HandlerMethod[],
): Insertion[] {
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const members = object.getProperties();
  const close = object.getEnd() - 1;
  const lineStart = (at: number): number => source.lastIndexOf('\n', at - 1) + 1;
  const ownLine = (at: number): string | undefined => {
    const before = source.slice(lineStart(at), at);
    return /^[ \t]*$/.test(before) ? before : undefined;
  };
  const outer = /^[ \t]*/.exec(source.slice(lineStart(object.getStart())))?.[0] ?? '';
  const indent =
    members.map((member) => ownLine(member.getStart())).find((found) => found !== undefined) ??
    outer + (outer.includes('\t') ? '\t' : '  ');
  const [previous, last] = members.slice(-2);
  const spaced =
    previous !== undefined &&
    last !== undefined &&
    /\n[ \t]*\r?\n/.test(source.slice(previous.getEnd(), last.getStart()));
  const block = methods
    .map((method) => indented(method.text, indent, eol))
    .join(spaced ? eol + eol : eol);
  // In the order of their positions, which may be equal (`{a}`): the comma goes first.
  const result: Insertion[] = [];
  const lastMember = members.at(-1);
  if (lastMember && !object.compilerNode.properties.hasTrailingComma) {
    result.push({ at: lastMember.getEnd(), text: ',' });
  }
  if (ownLine(close) !== undefined) {
    result.push({ at: lineStart(close), text: (spaced ? eol : '') + block + eol });
  } else {
    result.push({ at: close, text: eol + block + eol + outer });
  }
  return result;
}

/** The method's lines moved to `indent` (blank ones left empty), ending with a comma. */
function indented(text: string, indent: string, eol: string): string {
  const lines = text
    .replace(/\s+$/, '')
    .replace(/^\s*\n/, '')
    .split(/\r?\n/);
  const common = Math.min(
    ...lines
      .filter((line) => line.trim() !== '')
      .map((line) => line.length - line.trimStart().length),
  );
  const body = lines
    .map((line) => (line.trim() === '' ? '' : indent + line.slice(common)))
    .join(eol);
  return body.endsWith(',') ? body : `${body},`;
}

/** Applies `insertions`, given in the order of their positions, from the last to the first. */
function splice(source: string, insertions: readonly Insertion[]): string {
  return insertions.reduceRight(
    (text, { at, text: inserted }) => text.slice(0, at) + inserted + text.slice(at),
    source,
  );
}

function abridged(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
