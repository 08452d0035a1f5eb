import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileMailer } from '../../src/services/mailer.js';

const root = mkdtempSync(join(tmpdir(), 'mailer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = () => join(root, `mail-${(dirs += 1)}`);

const mail = {
  id: 'tenant-activation-event',
  to: 'owner@example.com',
  subject: 'Hi',
  text: 'Code',
};

describe('file mailer', () => {
  it('writes one file per e-mail, however many deliveries of it arrive at once', async () => {
    const dir = newDir();
    const mailer = fileMailer(dir);
    await Promise.all(Array.from({ length: 5 }, () => mailer.send(mail)));
    await mailer.send(mail);
    expect(readdirSync(dir)).toEqual(['tenant-activation-event.eml']);
    expect(readFileSync(join(dir, 'tenant-activation-event.eml'), 'utf8')).toContain(
      'Message-ID: <tenant-activation-event@saas>',
    );
  });

  it('replaces the half-written file a crash left when the e-mail is sent again', async () => {
    const dir = newDir();
    const mailer = fileMailer(dir);
    writeFileSync(join(dir, 'tenant-activation-event.eml.tmp'), 'From: half');
    await mailer.send(mail);
    expect(readdirSync(dir)).toEqual(['tenant-activation-event.eml']);
    expect(readFileSync(join(dir, 'tenant-activation-event.eml'), 'utf8')).toContain('Code');
  });
});
