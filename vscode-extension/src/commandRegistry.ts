// Commands made by factories (rust-analyzer's `commands.ts` pattern): each command has an
// implementation for a running server and, optionally, one for when it is down. The registry
// registers one VS Code command per name that dispatches on the server's state at call time, so
// a command never reaches a stopped client. Pure: VS Code's registerCommand is injected.

export type Cmd = (...args: any[]) => unknown;

export interface Disposable {
  dispose(): unknown;
}

/** `enabled` runs while the server is up; `disabled` (default: a notice) while it is down. */
export interface CommandFactory<Running, Base> {
  enabled: (ctx: Running) => Cmd;
  disabled?: (ctx: Base) => Cmd;
}

export class CommandRegistry<Running, Base> {
  private readonly names = new Set<string>();

  /**
   * @param register   vscode.commands.registerCommand
   * @param running    the running-server context, or undefined while the server is down
   * @param base       the context handed to `disabled` implementations
   * @param notRunning what a command without `disabled` does while the server is down
   */
  constructor(
    private readonly register: (id: string, fn: Cmd) => Disposable,
    private readonly running: () => Running | undefined,
    private readonly base: Base,
    private readonly notRunning: (id: string) => unknown,
  ) {}

  /** Registers `id`; the returned Disposable unregisters it (an extension-lifetime cleanup). */
  add(id: string, factory: CommandFactory<Running, Base>): Disposable {
    if (this.names.has(id)) throw new Error(`command ${id} registered twice`);
    this.names.add(id);
    const d = this.register(id, (...args: unknown[]) => {
      const r = this.running();
      if (r !== undefined) return factory.enabled(r)(...args);
      if (factory.disabled) return factory.disabled(this.base)(...args);
      return this.notRunning(id);
    });
    return {
      dispose: () => {
        this.names.delete(id);
        d.dispose();
      },
    };
  }

  get registered(): ReadonlySet<string> {
    return this.names;
  }
}
