/** Errors as RFC 9457 problem details (`application/problem+json`). */
import type { FastifyReply } from 'fastify';

export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly [extension: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(
    readonly problem: Problem,
    /** Response headers that belong to the problem (`WWW-Authenticate` on a 401). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'HttpProblem';
  }
}

export const problem = (
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  new HttpProblem(
    {
      type: 'about:blank',
      title,
      status,
      ...(detail === undefined ? {} : { detail }),
      ...extra,
    },
    headers,
  );

export function sendProblem(
  reply: FastifyReply,
  value: Problem,
  headers: Readonly<Record<string, string>> = {},
): FastifyReply {
  return reply
    .code(value.status)
    .headers(headers)
    .type('application/problem+json')
    .send({ type: 'about:blank', ...value, instance: reply.request.url });
}
