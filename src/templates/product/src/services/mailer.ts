/**
 * Where e-mail goes: files under `MAIL_DIR` (`data/mail` by default), one `.eml` file per
 * message, or an SMTP server when `SMTP_URL` is set (e.g. `smtp://user:pass@host:587`). Both
 * build the message with nodemailer, so headers are encoded (a line break in a subject cannot
 * add a header) and every message has its `Date` and `Message-ID`.
 */
import { chmodSync, mkdirSync, rename, writeFile } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface Mail {
  /** Stable per message: sending the same mail twice writes one file. A name, never a path. */
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly date: Date;
}

export interface Mailer {
  readonly channel: 'file' | 'smtp';
  send(mail: Mail): Promise<void>;
}

export interface MailerOptions {
  /** `MAIL_FROM`. */
  readonly from: string;
}

/** What a mail id may be: it names a file, so no separator, no dot-dot, nothing hidden. */
export const mailIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

export class InvalidMailId extends Error {
  override name = 'InvalidMailId';
  constructor(id: string) {
    super(`mail id ${JSON.stringify(id.slice(0, 80))} is not a plain name: refused`);
  }
}

const message = (mail: Mail, from: string) => ({
  from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  date: mail.date,
  messageId: `<${mail.id}@saas>`,
});

// The callback forms: they cost the event loop less than node:fs/promises' file handles.
const write = promisify(writeFile);
const move = promisify(rename);

export function fileMailer(dir: string, options: MailerOptions): Mailer {
  // Owner-only: e-mails carry activation codes.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // One write per e-mail at a time: a second delivery of the same e-mail (same id, same content)
  // waits for the first instead of racing it for the temporary file.
  const writing = new Map<string, Promise<void>>();
  const writeOnce = async (mail: Mail) => {
    const content = await new MailComposer(message(mail, options.from)).compile().build();
    // Write then rename: a reader never sees half a message. The temporary file's name is the
    // e-mail's own, so one left by a crash is overwritten when the e-mail is sent again.
    const target = join(dir, `${mail.id}.eml`);
    await write(`${target}.tmp`, content, { mode: 0o600 });
    await move(`${target}.tmp`, target);
  };
  return {
    channel: 'file',
    async send(mail) {
      if (!mailIdPattern.test(mail.id)) throw new InvalidMailId(mail.id);
      const pending = writing.get(mail.id);
      if (pending) return pending;
      const written = writeOnce(mail).finally(() => writing.delete(mail.id));
      writing.set(mail.id, written);
      return written;
    },
  };
}

export function smtpMailer(url: string, options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    channel: 'smtp',
    async send(mail) {
      if (!mailIdPattern.test(mail.id)) throw new InvalidMailId(mail.id);
      await transport.sendMail(message(mail, options.from));
    },
  };
}
