/**
 * `SAAS_FAULTS` fault injection, for development and tests only (ignored in production):
 * `<stepId>:fail` fails the step irrecoverably, `<stepId>:transient:<n>` makes its first n
 * attempts throw a transient error, `<stepId>:hang` makes it never answer (so the timeout fires).
 */

export type Fault =
  | { readonly kind: 'fail' }
  | { readonly kind: 'transient'; readonly attempts: number }
  | { readonly kind: 'hang' };

export type Faults = ReadonlyMap<string, Fault>;

export class TransientFault extends Error {
  constructor(stepId: string, attempt: number) {
    super(`injected transient fault in step ${stepId} (attempt ${attempt})`);
    this.name = 'TransientFault';
  }
}

/** Parses `SAAS_FAULTS`; throws with a message naming the bad entry. */
export function parseFaults(spec: string | undefined, knownSteps: readonly string[]): Faults {
  const faults = new Map<string, Fault>();
  for (const entry of (spec ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [stepId = '', kind, count, ...rest] = entry.split(':');
    if (!knownSteps.includes(stepId)) {
      throw new Error(
        `SAAS_FAULTS: unknown step "${stepId}" in "${entry}" (steps: ${knownSteps.join(', ')})`,
      );
    }
    if (kind === 'fail' && count === undefined) faults.set(stepId, { kind: 'fail' });
    else if (kind === 'hang' && count === undefined) faults.set(stepId, { kind: 'hang' });
    else if (kind === 'transient' && /^[1-9][0-9]*$/.test(count ?? '') && rest.length === 0) {
      faults.set(stepId, { kind: 'transient', attempts: Number(count) });
    } else {
      throw new Error(
        `SAAS_FAULTS: "${entry}" is not <step>:fail, <step>:transient:<n> or <step>:hang`,
      );
    }
  }
  return faults;
}
