/**
 * The product's pages: sign-up (`/`), activation (`/activate`) and the operators' console
 * (`/console`), plain files from `public/` that call the HTTP API like any other client, and
 * their icon (`/favicon.svg`, also at `/favicon.ico`). Every page and asset goes out with a
 * strict Content-Security-Policy: scripts and styles from this origin only, nothing inline,
 * never in a frame.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The pages' addresses and the file each one is. */
const pages: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/activate': 'activate.html',
  '/console': 'console.html',
};

/**
 * `public/` at the product's root: two levels up from `src/api/` when run from the sources
 * (tsx), three from `dist/src/api/` when compiled.
 */
export function publicDir(): string {
  const candidates = ['../../public/', '../../../public/'].map((up) =>
    fileURLToPath(new URL(up, import.meta.url)),
  );
  const found = candidates.find((dir) => existsSync(`${dir}index.html`));
  if (!found) throw new Error(`the pages are missing: no index.html in ${candidates.join(' or ')}`);
  return found;
}

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  // In this scope only: the API's JSON answers are read by programs, not rendered as documents.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // No page sends the address it came from: the activation code is in the fragment anyway.
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyStatic, { root: publicDir(), serve: false });

  const config = { access: 'public' as const };
  for (const [url, file] of Object.entries(pages))
    app.get(url, { config }, (_request, reply) => reply.sendFile(file));
  // The pages link the SVG; a browser or a bookmark that asks the customary address gets it too,
  // instead of a 404 in the console.
  for (const url of ['/favicon.svg', '/favicon.ico'])
    app.get(url, { config }, (_request, reply) => reply.sendFile('favicon.svg'));
  app.get<{ Params: { '*': string } }>('/assets/*', { config }, (request, reply) =>
    reply.sendFile(`assets/${request.params['*']}`),
  );
}
