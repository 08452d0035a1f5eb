/** What the diagrams share: their shape, Mermaid ids and front matter, the workflows drawn. */
import type { Model, Workflow } from '../blueprint/model.js';

export interface Diagram {
  /** The workflow drawn: `onboarding` or a domain workflow's id. */
  readonly workflow: string;
  readonly title: string;
  /** Mermaid source, front matter (the title) included, ending with a newline. */
  readonly mermaid: string;
}

export const onboardingOf = (model: Model): Workflow | undefined =>
  model.workflows.find((workflow) => workflow.kind === 'onboarding');

export const domainWorkflows = (model: Model): Workflow[] =>
  model.workflows.filter((workflow) => workflow.kind === 'domain');

export const frontMatter = (title: string): string[] => ['---', `title: ${title}`, '---'];

/** Mermaid ids: letters, digits and `_` only, and never a keyword (a prefix sees to that). */
export const nodeId = (prefix: string, id: string): string =>
  `${prefix}_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
