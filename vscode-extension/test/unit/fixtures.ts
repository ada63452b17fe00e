// The real server's messages, recorded by tests/walkthrough/record_protocol.py into
// tests/fixtures/protocol/<name>.json (that test fails when the server's shapes drift from them):
// the only payloads these unit tests use. Tests may change values of a recorded message (a state,
// a count), never invent its shape.
import * as fs from 'fs';
import * as path from 'path';
import { ResponseError } from 'vscode-languageserver-protocol';
import type * as proto from '../../src/protocol';

export const fixturesDir = path.join(__dirname, '..', '..', '..', '..', 'tests', 'fixtures', 'protocol');

/** One recorded message: what was asked (if anything) and what the server sent. */
export interface Fixture {
  description: string;
  request: { method: string; params?: unknown } | null;
  message: {
    id?: number | string;
    method?: string;
    params?: unknown;
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  };
}

export function fixtureNames(): string[] {
  return fs
    .readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));
}

/** A fresh copy of the fixture `name` (tests may change its values). */
export function fixture(name: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, `${name}.json`), 'utf8')) as Fixture;
}

/** The result of a recorded reply. */
export function recordedResult<T>(name: string): T {
  const m = fixture(name).message;
  if (!('result' in m)) throw new Error(`fixture ${name} is not a result`);
  return m.result as T;
}

/** The params of a recorded notification or server request. */
export function recordedParams<T>(name: string): T {
  const m = fixture(name).message;
  if (!('params' in m)) throw new Error(`fixture ${name} has no params`);
  return m.params as T;
}

/** A recorded error reply, as vscode-languageclient hands it to the extension. */
export function recordedError<D = proto.RequestFailedData>(name: string): ResponseError<D> {
  const e = fixture(name).message.error;
  if (!e) throw new Error(`fixture ${name} is not an error`);
  return new ResponseError<D>(e.code, e.message, e.data as D);
}

/**
 * A recorded Status: `status` (sysimage/status with an up-to-date image and a TTFX measurement),
 * `statusChanged`, `statusNoImage`, `statusBuilding`, `statusOutdated` (a package diff),
 * `statusJuliaNotFound`.
 */
export function recordedStatus(name = 'status'): proto.Status {
  const m = fixture(name).message;
  return ('result' in m ? m.result : m.params) as proto.Status;
}

/** `s` with another staleness state (the recorded reasons and diff kept). */
export function withStaleness(s: proto.Status, state: proto.StalenessState): proto.Status {
  return { ...s, staleness: { ...s.staleness, state } };
}

/** `s` with the recorded running build, in `state`. */
export function withBuild(s: proto.Status, state: proto.BuildState, error?: string): proto.Status {
  const build = { ...recordedStatus('statusBuilding').build!, state };
  if (error !== undefined) build.error = error;
  return { ...s, build };
}
