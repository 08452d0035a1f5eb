/**
 * The statements of one transaction on one connection, sent in as few round trips as they can
 * be. `BEGIN` and the writes whose result nobody waits for (audit entries, schedules, records)
 * are held back and travel in front of the next statement whose result is needed, or in front
 * of `COMMIT`: one round trip for all of them. Nothing is weakened: the statements run in the
 * order they were issued, in the same transaction, and a failing one fails the transaction (on
 * PostgreSQL any error aborts it anyway), reported by the call that sent it or by the commit.
 *
 * Several statements go in one round trip only as one simple-protocol query, which cannot carry
 * parameters: their values are written into the text as literals (`inline`), escaped by the
 * driver's own `escapeLiteral`. A statement sent alone keeps its parameters.
 */
import pg from 'pg';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';

/** What a parameter may be: the values the store passes, never an object. */
export type Value = string | number | boolean | Date | null | undefined | readonly Value[];

function literal(value: Value): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} into SQL`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  // Each statement casts its array parameters (`$1::text[]`), which types an empty one too.
  return `ARRAY[${value.map(literal).join(', ')}]`;
}

/** `text` with each `$n` replaced by its value as a literal. */
export function inline(text: string, values: readonly Value[] = []): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= values.length) throw new RangeError(`no value for $${n} in: ${text}`);
    return literal(values[index]);
  });
}

/** A statement held back, as literal SQL; with `settle` when someone waits for its result. */
interface Held {
  readonly sql: string;
  readonly settle?: (result: QueryResult | undefined, error?: unknown) => void;
}

export class Batch {
  readonly #client: PoolClient;
  /** Statements held back, in the order they were issued. */
  #held: Held[] = [];
  #begun = false;

  constructor(client: PoolClient) {
    this.#client = client;
  }

  /** Whether `BEGIN` went to the server (so that a failure must roll back). */
  get begun(): boolean {
    return this.#begun;
  }

  /** Opens the transaction: `BEGIN` goes with the first statement. */
  begin(): void {
    this.#held.push({ sql: 'BEGIN' });
  }

  /** A write whose result nobody needs: sent with the next statement, or with `COMMIT`. */
  hold(text: string, values: readonly Value[] = []): void {
    this.#held.push({ sql: inline(text, values) });
  }

  /**
   * A write whose result is wanted, but not before it is sent with the next statement or with
   * `COMMIT`: the promise settles then (or rejects when the transaction rolls back first).
   */
  holdForResult<Row extends QueryResultRow = QueryResultRow>(
    text: string,
    values: readonly Value[] = [],
  ): Promise<QueryResult<Row>> {
    return new Promise((resolve, reject) => {
      this.#held.push({
        sql: inline(text, values),
        settle: (result, error) =>
          result ? resolve(result as QueryResult<Row>) : reject(error ?? new Error('not sent')),
      });
    });
  }

  /** Runs `text` (after whatever was held back, in the same round trip) and answers its result. */
  async query<Row extends QueryResultRow = QueryResultRow>(
    text: string,
    values: readonly Value[] = [],
  ): Promise<QueryResult<Row>> {
    if (this.#held.length === 0) return this.#client.query<Row>(text, values as Value[]);
    const results = await this.#send([...this.#take(), { sql: inline(text, values) }]);
    return results.at(-1) as QueryResult<Row>;
  }

  /** Sends what was held back with `COMMIT`; nothing at all when the transaction did nothing. */
  async commit(): Promise<void> {
    const held = this.#take();
    if (!this.#begun && held.every((statement) => statement.sql === 'BEGIN')) return;
    await this.#send([...held, { sql: 'COMMIT' }]);
  }

  async rollback(): Promise<void> {
    const error = new Error('the transaction rolled back before this statement was sent');
    for (const statement of this.#take()) statement.settle?.(undefined, error);
    if (this.#begun) await this.#client.query('ROLLBACK');
  }

  #take(): Held[] {
    const held = this.#held;
    this.#held = [];
    return held;
  }

  async #send(statements: readonly Held[]): Promise<QueryResult[]> {
    if (statements.some((statement) => statement.sql === 'BEGIN')) this.#begun = true;
    let results: QueryResult[];
    try {
      // The driver answers a single statement with its result, several with an array, in order.
      const answer: QueryResult | QueryResult[] = await this.#client.query(
        statements.map((statement) => statement.sql).join(';\n'),
      );
      results = Array.isArray(answer) ? answer : [answer];
    } catch (error) {
      for (const statement of statements) statement.settle?.(undefined, error);
      throw error;
    }
    statements.forEach((statement, index) => statement.settle?.(results[index]));
    return results;
  }
}
