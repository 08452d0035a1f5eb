/**
 * Built-in notification: sends the tenant's owner an e-mail rendered from a template. An invited
 * user gets the activation e-mail; any other trigger gets a short notice of what happened. One
 * e-mail per triggering message, however often it is delivered.
 *
 * The step renders the e-mail and queues it as a `SendEmail` command in its own transaction; the
 * mail sender (a sink endpoint) sends it after commit. So an e-mail goes out only for a step
 * that committed, a crash before it went out sends it on restart (the outbox), and a slow mail
 * server or disk never holds the store while other messages wait.
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../contracts/envelope.js';
import type {
  NotificationSentPayload,
  SendEmailPayload,
  UserInvitedPayload,
} from '../contracts/builtins.js';
import type { RetryPolicy } from '../saga/definition.js';
import type { SinkDefinition } from '../runtime/handler.js';
import type { ActivationCodes } from './activation.js';
import type { Mail, Mailer } from './mailer.js';
import { countRecipient } from './recipient-throttle.js';
import type { StepContext } from './step-context.js';
import type { StepImplementation } from './steps.js';

export const notificationsCollection = 'notifications';

export interface Templates {
  readonly productTitle: string;
}

export interface NotificationOptions {
  /** `ACTIVATION_EMAIL_LIMIT`: activation e-mails an hour to one address (0 or unset: no limit). */
  readonly activationEmailLimit?: number;
}

/** What `NotificationSent.channel` says of an e-mail the per-recipient limit held back. */
export const throttledChannel = 'throttled';

type Rendered = Pick<Mail, 'subject' | 'text'> & {
  readonly template: string;
  /** The invitation whose activation code the sender adds to the text. */
  readonly invitationId?: string;
};

/**
 * The e-mails hold no text a sign-up chose: neither the tenant's name nor the owner's. A sign-up
 * names any address, so its names would be a stranger's words in a message from this product, and
 * a mail client links whatever looks like an address (`https://…`, `www.…`, even `evil.example`),
 * which no escaping of `://` or `www.` prevents. The tenant id (a UUID) says which workspace.
 * They are text only: no HTML part that could carry markup.
 */
export function renderMail(
  message: Envelope,
  context: StepContext,
  templates: Templates,
): Rendered {
  const { tenant } = context;
  if (message.type === 'UserInvited') {
    const invited = message.payload as UserInvitedPayload;
    return {
      template: 'activation',
      subject: `Activate your ${templates.productTitle} account`,
      text: [
        'Hello,',
        '',
        `Your ${templates.productTitle} workspace is being set up.`,
        'If you did not sign up, ignore this e-mail.',
      ].join('\n'),
      invitationId: invited.invitationId,
    };
  }
  return {
    template: 'notice',
    subject: `${templates.productTitle}: ${message.type}`,
    text: `Hello,\n\n${message.type} for your ${templates.productTitle} workspace (tenant ${tenant.tenantId}).\n`,
  };
}

export function notification(
  mailer: Mailer,
  templates: Templates,
  options: NotificationOptions = {},
): StepImplementation {
  return {
    async run(message, context): Promise<NotificationSentPayload> {
      const { tenant } = context;
      const sent = await context.tx.getRecord<NotificationSentPayload>(
        notificationsCollection,
        tenant.tenantId,
        message.eventId,
      );
      if (sent) return sent.data;
      const rendered = renderMail(message, context, templates);
      const to =
        message.type === 'UserInvited'
          ? (message.payload as UserInvitedPayload).email
          : tenant.owner.email;
      // Activation e-mails go to whichever address a sign-up named: one address gets so many an
      // hour, wherever they come from. Past that the e-mail is skipped, and the step succeeds all
      // the same: the onboarding must not fail because someone else flooded the inbox. The
      // record below keeps the skip, so a redelivery neither sends it nor counts it again.
      if (rendered.template === 'activation') {
        const recipient = await countRecipient(
          context.tx,
          'activation-email',
          to,
          options.activationEmailLimit ?? 0,
        );
        if (!recipient.allowed) {
          context.log.warn(
            { template: rendered.template, retryAt: recipient.resetAt.toISOString() },
            'activation e-mail not sent: its address had ACTIVATION_EMAIL_LIMIT e-mails this hour',
          );
          return record(context, message.eventId, {
            notificationId: randomUUID(),
            channel: throttledChannel,
            to,
            template: rendered.template,
          });
        }
      }
      // The id comes from the triggering message, so a redelivery rewrites the same file.
      context.publish('SendEmail', {
        mailId: `${tenant.tenantId}-${rendered.template}-${message.eventId}`,
        to,
        subject: rendered.subject,
        text: rendered.text,
        ...(rendered.invitationId ? { invitationId: rendered.invitationId } : {}),
      });
      return record(context, message.eventId, {
        notificationId: randomUUID(),
        channel: mailer.channel === 'smtp' ? 'email' : 'email-file',
        to,
        template: rendered.template,
      });
    },
  };
}

/** Keeps what the step did for its triggering message: a redelivery answers it unchanged. */
async function record(
  context: StepContext,
  eventId: string,
  payload: NotificationSentPayload,
): Promise<NotificationSentPayload> {
  await context.tx.putRecord({
    collection: notificationsCollection,
    tenantId: context.tenant.tenantId,
    id: eventId,
    data: payload,
  });
  return payload;
}

/**
 * A mail server that is down is tried again 11 times, from 1 s doubling up to 10 min (about
 * 27 minutes in all), before the e-mail dead-letters for an operator to replay.
 */
export const mailRetry: RetryPolicy = {
  attempts: 12,
  backoff: 'exponential',
  initialDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
};

export const mailSenderName = 'notification.send-email';

export interface SenderOptions {
  readonly codes: ActivationCodes;
  /** Where the owner activates: `PUBLIC_URL`. */
  readonly publicUrl: string;
}

/**
 * Sends each queued e-mail, outside any transaction. An activation e-mail gets its code here, at
 * the last moment, so that no queued or dead-lettered message ever holds it.
 */
export function mailSender(mailer: Mailer, options: SenderOptions): SinkDefinition {
  return {
    kind: 'sink',
    name: mailSenderName,
    types: ['SendEmail'],
    retry: mailRetry,
    async send(message) {
      const { mailId, to, subject, text, invitationId } = message.payload as SendEmailPayload;
      const activation = invitationId
        ? activationText(
            message.tenantId,
            options.codes.code(message.tenantId, invitationId),
            options.publicUrl,
          )
        : '';
      await mailer.send({
        id: mailId,
        to,
        subject,
        text: `${text}${activation}`,
        date: new Date(message.occurredAt),
      });
    },
  };
}

/**
 * The code, and the page that activates with it. Both go in the link's fragment, which the
 * browser keeps to itself: no server, proxy or log between ever sees the code.
 */
const activationText = (tenantId: string, code: string, publicUrl: string) =>
  [
    '',
    '',
    `Your activation code: ${code}`,
    `Or open ${publicUrl}/activate#tenant=${tenantId}&code=${code}`,
    '',
  ].join('\n');
