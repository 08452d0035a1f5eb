/**
 * Reading the e-mails a product wrote to its mail folder (MAIL_DIR), in tests.
 */

/** An e-mail's text, decoded from quoted-printable when nodemailer chose it (long lines). */
export function mailText(message: string): string {
  const [headers = '', ...rest] = message.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  if (!/^Content-Transfer-Encoding: quoted-printable$/im.test(headers)) return body;
  return Buffer.from(
    body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}
