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
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'HttpProblem';
  }
}

export const problem = (
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
) =>
  new HttpProblem({
    type: 'about:blank',
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...extra,
  });

export function sendProblem(reply: FastifyReply, value: Problem): FastifyReply {
  return reply
    .code(value.status)
    .type('application/problem+json')
    .send({ type: 'about:blank', ...value, instance: reply.request.url });
}
