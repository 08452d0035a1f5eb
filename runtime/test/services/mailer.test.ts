import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileMailer, InvalidMailId } from '../../src/services/mailer.js';

const root = mkdtempSync(join(tmpdir(), 'mailer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = () => join(root, `mail-${(dirs += 1)}`);
const from = 'Acme <no-reply@acme.example>';

const mail = {
  id: 'tenant-activation-event',
  to: 'owner@example.com',
  subject: 'Hi',
  text: 'Code',
  date: new Date('2030-01-02T03:04:05Z'),
};

describe('file mailer', () => {
  it('writes one file per e-mail, however many deliveries of it arrive at once', async () => {
    const dir = newDir();
    const mailer = fileMailer(dir, { from });
    await Promise.all(Array.from({ length: 5 }, () => mailer.send(mail)));
    await mailer.send(mail);
    expect(readdirSync(dir)).toEqual(['tenant-activation-event.eml']);
  });

  it('builds a proper message: From, Date, Message-ID, encoded headers', async () => {
    const dir = newDir();
    await fileMailer(dir, { from }).send({ ...mail, subject: 'Réglage terminé' });
    const text = readFileSync(join(dir, 'tenant-activation-event.eml'), 'utf8');
    expect(text).toContain('Message-ID: <tenant-activation-event@saas>');
    expect(text).toContain('From: Acme <no-reply@acme.example>');
    expect(text).toMatch(/^Date: Wed, 02 Jan 2030 03:04:05 \+0000$/m);
    expect(text).toMatch(/^Subject: =\?UTF-8\?Q\?R=C3=A9glage_termin=C3=A9\?=$/m);
  });

  it('cannot be made to add a header through a line break in the subject', async () => {
    const dir = newDir();
    await fileMailer(dir, { from }).send({
      ...mail,
      subject: 'Hello\r\nBcc: attacker@example.com',
    });
    const text = readFileSync(join(dir, 'tenant-activation-event.eml'), 'utf8');
    const headers = text.slice(0, text.indexOf('\r\n\r\n'));
    expect(headers).not.toMatch(/^Bcc:/m);
  });

  it('refuses a mail id that is a path, and writes nothing anywhere', async () => {
    const dir = newDir();
    const mailer = fileMailer(dir, { from });
    for (const id of [
      '../escaped',
      '../../etc/cron.d/x',
      '/tmp/abs',
      '.hidden',
      'a/b',
      'x'.repeat(300),
    ])
      await expect(mailer.send({ ...mail, id })).rejects.toThrow(InvalidMailId);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(root).filter((name) => !name.startsWith('mail-'))).toEqual([]);
  });

  it('keeps its folder and its files owner-only', async () => {
    const dir = newDir();
    await fileMailer(dir, { from }).send(mail);
    expect(statSync(dir).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'tenant-activation-event.eml')).mode & 0o077).toBe(0);
  });

  it('fails the send when the file cannot be written, and writes the next one once it can', async () => {
    const dir = newDir();
    const mailer = fileMailer(dir, { from });
    rmSync(dir, { recursive: true });
    await expect(mailer.send(mail)).rejects.toThrow(/writing an e-mail failed: .*ENOENT/);
    mkdirSync(dir, { mode: 0o700 });
    await mailer.send(mail);
    expect(readdirSync(dir)).toEqual(['tenant-activation-event.eml']);
  });

  it('replaces the half-written file a crash left when the e-mail is sent again', async () => {
    const dir = newDir();
    const mailer = fileMailer(dir, { from });
    writeFileSync(join(dir, 'tenant-activation-event.eml.tmp'), 'From: half');
    await mailer.send(mail);
    expect(readdirSync(dir)).toEqual(['tenant-activation-event.eml']);
    expect(readFileSync(join(dir, 'tenant-activation-event.eml'), 'utf8')).toContain('Code');
  });
});
