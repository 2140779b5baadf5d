import { renderSpec, type RenderedSpec, type SpecEntry } from './spec-format';
import type { StepName } from './steps';

/** Collects steps and learner comments in order; fields are raw here and encoded only when rendered. */
export class SpecWriter {
  private readonly entries: SpecEntry<StepName>[] = [];

  step(step: StepName, ...fields: (string | number)[]): this {
    this.entries.push({ kind: 'step', step, fields: fields.map(String) });
    return this;
  }

  comment(text: string): this {
    this.entries.push({ kind: 'comment', text });
    return this;
  }

  /** The steps written so far (tests and callers that want the structure rather than the text). */
  get steps(): readonly SpecEntry<StepName>[] {
    return this.entries;
  }

  render(options: { comments?: boolean } = {}): RenderedSpec {
    return renderSpec(this.entries, options);
  }
}
