/**
 * Where e-mail goes: files under `MAIL_DIR` (`data/mail` by default), one `.eml` file per
 * message, or an SMTP server when `SMTP_URL` is set (e.g. `smtp://user:pass@host:587`).
 */
import { mkdirSync, rename, writeFile } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface Mail {
  /** Stable per message: sending the same mail twice writes one file. */
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  readonly channel: 'file' | 'smtp';
  send(mail: Mail): Promise<void>;
}

export const mailFrom = 'no-reply@localhost';

// The callback forms: they cost the event loop less than node:fs/promises' file handles.
const write = promisify(writeFile);
const move = promisify(rename);

export function fileMailer(dir: string): Mailer {
  mkdirSync(dir, { recursive: true });
  // Two deliveries of one e-mail may be written at once: each through a file of its own.
  let written = 0;
  return {
    channel: 'file',
    async send(mail) {
      const content = [
        `From: ${mailFrom}`,
        `To: ${mail.to}`,
        `Subject: ${mail.subject}`,
        `Message-ID: <${mail.id}@saas>`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        mail.text,
        '',
      ].join('\r\n');
      // Write then rename: a reader never sees half a message.
      const target = join(dir, `${mail.id}.eml`);
      const temporary = `${target}.${process.pid}-${(written += 1)}.tmp`;
      await write(temporary, content);
      await move(temporary, target);
    },
  };
}

export function smtpMailer(url: string, from = mailFrom): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    channel: 'smtp',
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: `<${mail.id}@saas>`,
      });
    },
  };
}
