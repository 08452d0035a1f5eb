import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** A minimal Language Server Protocol client speaking JSON-RPC with Content-Length framing over stdio. */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Diagnostic {
  range: Range;
  severity?: number;
  message: string;
  source?: string;
}

export interface PublishDiagnosticsParams {
  uri: string;
  diagnostics: Diagnostic[];
}

export interface CompletionItem {
  label: string;
  kind?: number;
  insertText?: string;
}

export interface Hover {
  contents: unknown;
  range?: Range;
}

interface Message {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

interface Notification {
  method: string;
  params: unknown;
}

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Waiter {
  match: (notification: Notification) => boolean;
  resolve: (notification: Notification) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Answers a request sent by the server to the client. */
export type ServerRequestHandler = (params: unknown) => unknown;

export const DEFAULT_TIMEOUT_MS = 15_000;

export class LspClient {
  readonly notifications: Notification[] = [];
  readonly serverRequests: Notification[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly waiters = new Set<Waiter>();
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private stderr = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly handlers: Record<string, ServerRequestHandler>,
  ) {
    proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    proc.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    // Writing to a server that died must not crash the test runner; failures surface via rejections.
    proc.stdin.on('error', () => {});
    this.exitPromise = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        const error = new Error(
          `language server exited (code ${code}, signal ${signal})${this.stderrTail()}`,
        );
        for (const pending of this.pending.values()) {
          clearTimeout(pending.timer);
          pending.reject(error);
        }
        this.pending.clear();
        for (const waiter of this.waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(error);
        }
        this.waiters.clear();
        resolve();
      });
    });
  }

  /** Spawns `node <serverScript> --stdio`; `handlers` answer server-to-client requests by method. */
  static start(serverScript: string, handlers: Record<string, ServerRequestHandler>): LspClient {
    const proc = spawn(process.execPath, [serverScript, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new LspClient(proc, handlers);
  }

  request<T>(method: string, params: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    if (this.exited) {
      return Promise.reject(new Error(`cannot send ${method}: language server has exited`));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(
            `no response to ${method} (id ${id}) within ${timeoutMs} ms${this.stderrTail()}`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (result) => resolve(result as T),
        reject,
        timer,
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /**
   * Resolves with the params of the first notification `method` (received at or after index
   * `since` of `notifications`) that satisfies `match`.
   */
  waitForNotification<P>(
    method: string,
    match: (params: P) => boolean,
    description: string,
    { since = 0, timeoutMs = DEFAULT_TIMEOUT_MS }: { since?: number; timeoutMs?: number } = {},
  ): Promise<P> {
    const matches = (n: Notification) => n.method === method && match(n.params as P);
    const earlier = this.notifications.slice(since).find(matches);
    if (earlier) return Promise.resolve(earlier.params as P);
    if (this.exited) {
      return Promise.reject(new Error(`language server exited before ${description}`));
    }
    return new Promise<P>((resolve, reject) => {
      const waiter: Waiter = {
        match: matches,
        resolve: (n) => resolve(n.params as P),
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const seen = this.notifications.map((n) => n.method).join(', ') || 'none';
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${description}` +
                ` (notifications seen: ${seen})${this.stderrTail()}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Polite shutdown (shutdown request, exit notification); kills the process if it lingers. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.exited) return;
    try {
      await this.request('shutdown', null, timeoutMs);
      this.notify('exit', null);
      await Promise.race([this.exitPromise, new Promise((r) => setTimeout(r, timeoutMs))]);
    } finally {
      this.kill();
    }
  }

  /** The exit code once the process has exited, `undefined` while it runs. */
  get exitCode(): number | null | undefined {
    return this.exited?.code;
  }

  kill(): void {
    if (!this.exited && this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const lengthMatch = /^Content-Length:\s*(\d+)\s*$/im.exec(header);
      if (!lengthMatch) {
        throw new Error(`LSP message without Content-Length header: ${JSON.stringify(header)}`);
      }
      const start = headerEnd + 4;
      const end = start + Number(lengthMatch[1]);
      if (this.buffer.length < end) return;
      const body = this.buffer.subarray(start, end).toString('utf8');
      this.buffer = this.buffer.subarray(end);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(message: Message): void {
    const hasId = message.id !== undefined && message.id !== null;
    if (message.method !== undefined && hasId) {
      this.answerServerRequest(message);
    } else if (message.method !== undefined) {
      const notification = { method: message.method, params: message.params };
      this.notifications.push(notification);
      for (const waiter of this.waiters) {
        if (waiter.match(notification)) {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          waiter.resolve(notification);
        }
      }
    } else if (hasId) {
      const pending = this.pending.get(Number(message.id));
      if (!pending) return;
      this.pending.delete(Number(message.id));
      clearTimeout(pending.timer);
      if (message.error) {
        pending.reject(
          new Error(`${pending.method} failed: ${message.error.code} ${message.error.message}`),
        );
      } else {
        pending.resolve(message.result);
      }
    }
  }

  private answerServerRequest(message: Message): void {
    const method = message.method as string;
    this.serverRequests.push({ method, params: message.params });
    const handler = this.handlers[method];
    try {
      const result = handler ? handler(message.params) : null;
      this.send({ jsonrpc: '2.0', id: message.id, result: result ?? null });
    } catch (error) {
      this.send({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32603, message: String(error) },
      });
    }
  }

  private stderrTail(): string {
    const tail = this.stderr.trim();
    return tail ? `\nserver stderr:\n${tail}` : '';
  }
}

/** What an editor tells a language server it can do: configuration, completion, hover, diagnostics. */
export const editorCapabilities = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    completion: {
      completionItem: { snippetSupport: true, documentationFormat: ['markdown'] },
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    publishDiagnostics: { relatedInformation: true },
  },
};
