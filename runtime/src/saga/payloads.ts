/**
 * The payload of a compensation command. The saga cannot know what a blueprint's own command
 * needs, so it fills each field the command's schema declares (`fields`, which `defineProduct`
 * reads from the schema into the step's `compensateFields`) from what the run knows: `reason`
 * from the failure, any other field from the step's own event (a `DeleteWorkspace` can take the
 * `workspaceId` of `WorkspaceSeeded`), else from the workflow's trigger. A field that none of
 * them has is left out, and the runtime's validation refuses the message if it was required.
 */

export function compensationPayload(
  fields: readonly string[] | undefined,
  sources: readonly unknown[],
  reason: string,
): Record<string, unknown> {
  // A command whose schema is not known (a definition built in a test): the common shape.
  if (!fields) return { reason };
  const payload: Record<string, unknown> = {};
  for (const field of fields) {
    if (field === 'reason') {
      payload[field] = reason;
      continue;
    }
    const source = sources.find((candidate) => isRecord(candidate) && field in candidate);
    if (isRecord(source)) payload[field] = source[field];
  }
  return payload;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Payload strings are capped at 1,000 characters by their schemas; reasons quote errors. */
export const clip = (text: string, max = 1000): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;
