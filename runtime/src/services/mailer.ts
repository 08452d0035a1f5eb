/**
 * Where e-mail goes: files under `MAIL_DIR` (`data/mail` by default), one `.eml` file per
 * message, or an SMTP server when `SMTP_URL` is set (e.g. `smtp://user:pass@host:587`). Both
 * build the message with nodemailer, so headers are encoded (a line break in a subject cannot
 * add a header) and every message has its `Date` and `Message-ID`.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import nodemailer from 'nodemailer';

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

const mailMessage = (mail: Mail, from: string) => ({
  from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  date: mail.date,
  messageId: `<${mail.id}@saas>`,
});

/**
 * The file mailer's thread: it builds each message with nodemailer and writes it, so that neither
 * the MIME encoding nor the file system calls take the thread that runs the HTTP API and the bus
 * (building a message costs more than a whole step of the onboarding). Source text, not a module
 * file, so that it starts the same under tsx, vitest and the compiled `dist/`.
 */
const writerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { rename, writeFile } = require('node:fs/promises');
const MailComposer = require(workerData.composer);
parentPort.on('message', async ({ id, message, target }) => {
  try {
    const content = await new MailComposer(message).compile().build();
    // Write then rename: a reader never sees half a message. The temporary file's name is the
    // e-mail's own, so one left by a crash is overwritten when the e-mail is sent again.
    await writeFile(target + '.tmp', content, { mode: 0o600 });
    await rename(target + '.tmp', target);
    parentPort.postMessage({ id });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

interface Written {
  readonly id: number;
  readonly error?: string;
}

/** Writes e-mail files on a thread of its own, started at the first e-mail and restarted if it dies. */
class MailWriter {
  readonly #composer = createRequire(import.meta.url).resolve(
    'nodemailer/lib/mail-composer/index.js',
  );
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  #worker: Worker | undefined;
  #next = 0;

  write(message: ReturnType<typeof mailMessage>, target: string): Promise<void> {
    const worker = this.#started();
    const id = (this.#next += 1);
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Only while an e-mail is being written does the thread keep the process alive.
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ id, message, target });
    });
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(writerSource, {
      eval: true,
      workerData: { composer: this.#composer },
    });
    worker.unref();
    worker.on('message', ({ id, error }: Written) => {
      const waiting = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) worker.unref();
      if (error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(`writing an e-mail failed: ${error}`));
    });
    const lost = (reason: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      // Each e-mail still on its way fails its delivery, which is retried: none is lost.
      for (const waiting of this.#pending.values()) waiting.reject(reason);
      this.#pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the e-mail writer stopped (exit code ${code})`)));
    this.#worker = worker;
    return worker;
  }
}

export function fileMailer(dir: string, options: MailerOptions): Mailer {
  // Owner-only: e-mails carry activation codes.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const writer = new MailWriter();
  // One write per e-mail at a time: a second delivery of the same e-mail (same id, same content)
  // waits for the first instead of racing it for the temporary file.
  const writing = new Map<string, Promise<void>>();
  return {
    channel: 'file',
    async send(mail) {
      if (!mailIdPattern.test(mail.id)) throw new InvalidMailId(mail.id);
      const pending = writing.get(mail.id);
      if (pending) return pending;
      const written = writer
        .write(mailMessage(mail, options.from), join(dir, `${mail.id}.eml`))
        .finally(() => writing.delete(mail.id));
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
      await transport.sendMail(mailMessage(mail, options.from));
    },
  };
}
