// Loaded with `node --import`: makes `ts-morph` impossible to load, by `import` or by `require`,
// so that a test can tell a run that needs no compiler from one that loads it.
import Module, { register } from 'node:module';

const refused = (specifier) => specifier === 'ts-morph' || specifier.startsWith('ts-morph/');
const message = 'ts-morph is not available in this test';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'ts-morph' || specifier.startsWith('ts-morph/')) throw new Error(${JSON.stringify(message)});
  return next(specifier, context);
}`),
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (refused(request)) throw new Error(message);
  return resolveFilename.call(this, request, ...rest);
};
