import * as assert from 'assert';
import * as proto from '../../src/protocol';
import { fixture, fixtureNames, recordedError, recordedParams, recordedResult, recordedStatus } from './fixtures';

/**
 * Which keys of T are optional: the compiler checks every table below against src/protocol.ts
 * (a missing key, an extra key or a wrong optional/required mark does not compile), and the tests
 * check the tables against what the server really sends.
 */
type Presence<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? 'optional' : 'required' };

const timing: Presence<proto.Timing> = { median: 'required', min: 'required', max: 'required', samples: 'required' };
const measure: Presence<proto.MeasureResult> = {
  workload: 'required',
  runs: 'required',
  bare: 'required',
  withoutImage: 'required',
  withImage: 'required',
  speedup: 'required',
  image: 'required',
};
const image: Presence<proto.ImageInfo> = {
  path: 'required',
  builtAt: 'required',
  ageSeconds: 'required',
  juliaVersion: 'required',
  cpuTarget: 'required',
  backend: 'required',
  statements: 'required',
  buildSeconds: 'required',
  packages: 'required',
  usable: 'required',
  ttfx: 'optional',
};
const change: Presence<proto.PackageChange> = { name: 'required', uuid: 'required', change: 'required', old: 'required', new: 'required', reason: 'required' };
const staleness: Presence<proto.Staleness> = {
  state: 'required',
  reasons: 'required',
  diff: 'required',
  manifestError: 'optional',
  projectError: 'optional',
  configError: 'optional',
};
const build: Presence<proto.BuildInfo> = { state: 'required', buildId: 'required', phase: 'required', message: 'required', percentage: 'required', error: 'optional' };
const julia: Presence<proto.JuliaInfo> = { path: 'required', version: 'required', error: 'optional', errorKind: 'optional' };
const counts: Presence<proto.StatementCounts> = { total: 'required', nonPortable: 'required', excluded: 'required', newSinceBuild: 'required', invalidLines: 'required', outsideProject: 'optional', outsideModules: 'optional' };
const status: Presence<proto.Status> = {
  project: 'required',
  name: 'required',
  kind: 'required',
  julia: 'required',
  statements: 'required',
  recording: 'required',
  store: 'required',
  warnings: 'required',
  staleness: 'required',
  image: 'required',
  build: 'required',
};
const buildResult: Presence<proto.BuildResult> = {
  buildId: 'required',
  image: 'required',
  durationSeconds: 'required',
  statementsOk: 'required',
  statementsFailed: 'required',
  backend: 'required',
  cached: 'required',
  measurement: 'optional',
};
const failure: Presence<proto.RequestFailedData> = { reason: 'required', buildId: 'optional', logTail: 'optional' };

/** Checks `value`'s keys against `table`: no key the client does not declare, every required one. */
function checkKeys(what: string, value: unknown, table: Record<string, 'required' | 'optional'>): Record<string, unknown> {
  assert.ok(value && typeof value === 'object' && !Array.isArray(value), `${what} is not an object: ${JSON.stringify(value)}`);
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) assert.ok(k in table, `${what}.${k}: sent by the server, missing from src/protocol.ts`);
  for (const [k, p] of Object.entries(table)) if (p === 'required') assert.ok(k in v, `${what}.${k}: required in src/protocol.ts, not sent`);
  return v;
}

function checkMeasure(what: string, m: unknown): void {
  const v = checkKeys(what, m, measure);
  for (const k of ['bare', 'withoutImage', 'withImage'] as const) if (v[k] !== null) checkKeys(`${what}.${k}`, v[k], timing);
}

function checkStatus(what: string, s: unknown): void {
  const v = checkKeys(what, s, status);
  checkKeys(`${what}.julia`, v.julia, julia);
  checkKeys(`${what}.statements`, v.statements, counts);
  const st = checkKeys(`${what}.staleness`, v.staleness, staleness);
  for (const d of st.diff as unknown[]) checkKeys(`${what}.staleness.diff[]`, d, change);
  if (v.image !== null) {
    const img = checkKeys(`${what}.image`, v.image, image);
    if (img.ttfx !== undefined) checkMeasure(`${what}.image.ttfx`, img.ttfx);
  }
  if (v.build !== null) checkKeys(`${what}.build`, v.build, build);
}

describe('tests/fixtures/protocol (the real server) against src/protocol.ts', () => {
  it('every status and statusChanged has the declared shape', () => {
    const statuses = fixtureNames().filter((n) => n.startsWith('status'));
    assert.ok(statuses.length >= 5, statuses.join());
    for (const name of statuses) checkStatus(name, recordedStatus(name));
  });

  it('build, measure, buildLog, cancelBuild, replCommand, serverInfo results', () => {
    const b = checkKeys('build', recordedResult('build'), buildResult);
    assert.strictEqual(typeof b.image, 'string');
    checkMeasure('measure', recordedResult('measure'));
    checkKeys('buildLog', recordedResult('buildLog'), { buildId: 'required', path: 'required', log: 'required' } satisfies Presence<proto.BuildLogResult>);
    checkKeys('cancelBuild', recordedResult('cancelBuild'), { cancelled: 'required' } satisfies Presence<proto.CancelBuildResult>);
    checkKeys('replCommand', recordedResult('replCommand'), {
      command: 'required',
      args: 'required',
      env: 'required',
      traceFile: 'required',
      project: 'required',
    } satisfies Presence<proto.ReplCommandResult>);
    checkKeys('serverInfo', recordedResult('serverInfo'), { version: 'required', protocolVersion: 'required', pid: 'required' } satisfies Presence<proto.ServerInfoResult>);
  });

  it('errors carry RequestFailedData (buildFailed, buildLogNotFound) or are cancellations', () => {
    for (const name of ['buildFailed', 'buildLogNotFound']) {
      const e = recordedError(name);
      assert.strictEqual(e.code, proto.ErrorCodes.RequestFailed);
      checkKeys(`${name}.data`, e.data, failure);
      assert.ok(e.message && e.message !== e.data!.reason, e.message);
    }
    assert.strictEqual(recordedError('buildLogNotFound').data!.reason, 'notFound');
    assert.strictEqual(recordedError('buildCancelled').code, proto.ErrorCodes.RequestCancelled);
  });

  it('initialize: the protocol version, the commands, every method recorded is declared', () => {
    const init = recordedResult<{ capabilities: { experimental: { sysimage: { protocolVersion: number } }; executeCommandProvider: { commands: string[] } } }>('initialize');
    assert.strictEqual(init.capabilities.experimental.sysimage.protocolVersion, proto.protocolVersion);
    assert.deepStrictEqual([...init.capabilities.executeCommandProvider.commands].sort(), Object.values(proto.Commands).sort());
    for (const name of fixtureNames()) {
      const method = fixture(name).request?.method ?? fixture(name).message.method;
      if (method?.startsWith('sysimage/')) assert.ok(proto.methods.includes(method), `${name}: ${method} is not declared`);
    }
  });

  it('the rebuild offer: a warning with the declared actions', () => {
    const offer = recordedParams<{ type: number; message: string; actions: { title: string }[] }>('rebuildOffer');
    assert.strictEqual(fixture('rebuildOffer').message.method, 'window/showMessageRequest');
    assert.strictEqual(offer.type, 2);
    assert.deepStrictEqual(offer.actions.map((a) => a.title), Object.values(proto.RebuildOfferActions));
  });
});
