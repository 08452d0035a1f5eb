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
  // One write per e-mail at a time: a second delivery of the same e-mail (same id, same content)
  // waits for the first instead of racing it for the temporary file.
  const writing = new Map<string, Promise<void>>();
  const writeOnce = async (id: string, content: string) => {
    // Write then rename: a reader never sees half a message. The temporary file's name is the
    // e-mail's own, so one left by a crash is overwritten when the e-mail is sent again.
    const target = join(dir, `${id}.eml`);
    await write(`${target}.tmp`, content);
    await move(`${target}.tmp`, target);
  };
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
      const pending = writing.get(mail.id);
      if (pending) return pending;
      const written = writeOnce(mail.id, content).finally(() => writing.delete(mail.id));
      writing.set(mail.id, written);
      return written;
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
