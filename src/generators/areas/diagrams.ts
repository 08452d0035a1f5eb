/** docs/diagrams.md: the product's state machines and message sequences, drawn from the model. */
import { sequenceDiagram, stateDiagram } from '../diagrams.js';
import type { Diagram } from '../diagrams.js';
import type { AreaContext } from './area.js';

export function diagramsArea({ view, render, tree }: AreaContext): void {
  const states = stateDiagram(view.model);
  const sequences = sequenceDiagram(view.model);
  const of = (diagrams: readonly Diagram[], workflow: string) =>
    diagrams.filter((diagram) => diagram.workflow === workflow).map((diagram) => diagram.mermaid);
  const sections = view.model.workflows.map((workflow) =>
    workflow.kind === 'onboarding'
      ? {
          heading: 'Tenant lifecycle and onboarding',
          description:
            'The tenant state machine, with the onboarding steps inside `Provisioning`; then the messages of one onboarding.',
          diagrams: [...of(states, workflow.id), ...of(sequences, workflow.id)],
        }
      : {
          heading: `Workflow \`${workflow.id}\``,
          description: `A run of \`${workflow.id}\`, started by \`${workflow.trigger}\`, with its steps inside \`Running\`; then its messages.`,
          diagrams: [...of(states, workflow.id), ...of(sequences, workflow.id)],
        },
  );
  tree.write(
    'docs/diagrams.md',
    render('docs/diagrams.md.hbs', { title: view.product.title, sections }, 'the diagrams'),
  );
}
