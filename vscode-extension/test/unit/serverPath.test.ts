import * as assert from 'assert';
import * as path from 'path';
import { resolveServerPath, serverPathCandidates } from '../../src/serverPath';

describe('serverPath', () => {
  const ext = '/repo/vscode-extension';

  it('looks in the repository build, next to the extension, then on PATH', () => {
    const c = serverPathCandidates({ extensionPath: ext, pathEnv: ['/usr/local/bin', '', '/usr/bin'].join(path.delimiter) });
    assert.deepStrictEqual(c, [
      { path: '/repo/build/bin/sysimage-server', source: 'repository' },
      { path: '/repo/vscode-extension/bin/sysimage-server', source: 'bundled' },
      { path: '/usr/local/bin/sysimage-server', source: 'PATH' },
      { path: '/usr/bin/sysimage-server', source: 'PATH' },
    ]);
  });

  it('with a setting, only the setting (~ and relative paths resolved)', () => {
    assert.deepStrictEqual(serverPathCandidates({ extensionPath: ext, setting: '~/bin/s', homeDir: '/home/u' }), [{ path: '/home/u/bin/s', source: 'setting' }]);
    assert.deepStrictEqual(serverPathCandidates({ extensionPath: ext, setting: 'build/s', baseDir: '/ws' }), [{ path: '/ws/build/s', source: 'setting' }]);
  });

  it('takes the first executable candidate', () => {
    const r = resolveServerPath({ extensionPath: ext, pathEnv: '/usr/bin' }, (p) => p === '/usr/bin/sysimage-server');
    assert.deepStrictEqual(r, { ok: true, path: '/usr/bin/sysimage-server', source: 'PATH' });
  });

  it('a setting that does not work is an error, with no fallback', () => {
    const r = resolveServerPath({ extensionPath: ext, setting: '/nope', pathEnv: '/usr/bin' }, (p) => p !== '/nope');
    assert.strictEqual(r.ok, false);
    if (!r.ok) assert.match(r.message, /juliaSysimage\.serverPath is set to "\/nope"/);
  });

  it('nothing found: says what was tried and how to fix it', () => {
    const r = resolveServerPath({ extensionPath: ext, pathEnv: '/usr/bin' }, () => false);
    assert.strictEqual(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /juliaSysimage\.serverPath/);
      assert.strictEqual(r.tried.length, 3);
    }
  });
});
