// The latest Status of every project the server told us about, and which project each workspace
// folder (or file) resolves to. Pure; features listen with onDidChange.
import type { Status } from './protocol';

export class StatusStore {
  private readonly byProject = new Map<string, Status>();
  /** workspace folder (or other key we asked about) → Status.project */
  private readonly projectOfKey = new Map<string, string>();
  private readonly listeners = new Set<(s: Status | undefined) => void>();

  /** Stores a status (from `sysimage/statusChanged` or a request). */
  update(status: Status, askedFor?: string): void {
    this.byProject.set(normalize(status.project), status);
    if (askedFor !== undefined) this.projectOfKey.set(normalize(askedFor), normalize(status.project));
    this.fire(status);
  }

  /** The status for a workspace folder / project directory, if known. */
  get(key: string | undefined): Status | undefined {
    if (key === undefined) return this.byProject.size === 1 ? [...this.byProject.values()][0] : undefined;
    const k = normalize(key);
    const project = this.projectOfKey.get(k) ?? k;
    return this.byProject.get(project);
  }

  /** Whether we know which project `key` resolves to (else ask the server). */
  knows(key: string | undefined): boolean {
    return this.get(key) !== undefined;
  }

  all(): Status[] {
    return [...this.byProject.values()];
  }

  /** Forgets everything (the server restarted: its statuses come again). */
  clear(): void {
    this.byProject.clear();
    this.projectOfKey.clear();
    this.fire(undefined);
  }

  onDidChange(listener: (s: Status | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(s: Status | undefined): void {
    for (const l of [...this.listeners]) l(s);
  }
}

/** Whether two project directories are the same, a trailing separator aside. */
export function sameProjectDir(a: string, b: string): boolean {
  return normalize(a) === normalize(b);
}

function normalize(p: string): string {
  return p.length > 1 ? p.replace(/[\\/]+$/, '') : p;
}
