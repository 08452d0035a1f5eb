// Loaded with `node --import`: makes `prettier` impossible to load, so that a test can tell a
// run that formats nothing from one that does.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'prettier' || specifier.startsWith('prettier/'))
    throw new Error('prettier is not available in this test');
  return next(specifier, context);
}`),
);
