import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges, recoverInterrupted } from '../src/cli/writer.js';
import { snapshot, tempDir } from './support/cli.js';

function product(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/a.ts'), 'a1');
  writeFileSync(join(dir, 'src/b.ts'), 'b1');
  writeFileSync(join(dir, 'README.md'), 'readme');
  return dir;
}

const manifest = { path: '.saas-gen/manifest.json', content: '{}' };

describe('the transactional writer', () => {
  it('applies creates, updates and deletes and leaves no transaction behind', () => {
    const dir = product();
    applyChanges(
      dir,
      [
        { kind: 'update', path: 'src/a.ts', content: 'a2' },
        { kind: 'delete', path: 'src/b.ts' },
        { kind: 'create', path: 'src/new/c.ts', content: 'c1' },
      ],
      manifest,
    );
    expect(snapshot(dir)).toEqual({
      '.saas-gen/manifest.json': '{}',
      'README.md': 'readme',
      'src/a.ts': 'a2',
      'src/new/c.ts': 'c1',
    });
  });

  it('rolls back every change when a write fails half-way', () => {
    const dir = product();
    const before = snapshot(dir);
    // `README.md/x.ts` cannot be created: its parent is a file. It comes after the others.
    expect(() =>
      applyChanges(
        dir,
        [
          { kind: 'update', path: 'src/a.ts', content: 'a2' },
          { kind: 'delete', path: 'src/b.ts' },
          { kind: 'create', path: 'src/c.ts', content: 'c1' },
          { kind: 'create', path: 'README.md/x.ts', content: 'x' },
        ],
        manifest,
      ),
    ).toThrow();
    expect(snapshot(dir)).toEqual(before);
  });

  it('rolls back a transaction that a crashed run left behind', () => {
    const dir = product();
    const before = snapshot(dir);
    // What a run killed between moving files into place and committing leaves on disk.
    const tx = join(dir, '.saas-gen/tx');
    mkdirSync(join(tx, 'old/src'), { recursive: true });
    writeFileSync(join(tx, 'old/src/a.ts'), 'a1');
    writeFileSync(join(tx, 'old/src/b.ts'), 'b1');
    writeFileSync(
      join(tx, 'journal.json'),
      JSON.stringify({ created: ['src/c.ts'], backedUp: ['src/a.ts', 'src/b.ts'] }),
    );
    writeFileSync(join(dir, 'src/a.ts'), 'a2');
    writeFileSync(join(dir, 'src/c.ts'), 'c1');
    // src/b.ts was already deleted.
    writeFileSync(join(dir, 'src/b.ts'), '');
    expect(recoverInterrupted(dir)).toBe(true);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(tx)).toBe(false);
  });

  it('discards a transaction that never got as far as its journal', () => {
    const dir = product();
    mkdirSync(join(dir, '.saas-gen/tx/new/src'), { recursive: true });
    writeFileSync(join(dir, '.saas-gen/tx/new/src/a.ts'), 'half');
    expect(recoverInterrupted(dir)).toBe(false);
    expect(readFileSync(join(dir, 'src/a.ts'), 'utf8')).toBe('a1');
    expect(existsSync(join(dir, '.saas-gen/tx'))).toBe(false);
  });
});
