import * as assert from 'assert';
import { StatusStore } from '../../src/statusStore';
import { servedStatus } from './fixtures';

describe('StatusStore', () => {
  it('maps a folder to the project the server resolved it to', () => {
    const store = new StatusStore();
    store.update(servedStatus({ project: '/ws/app' }), '/ws/app/sub/');
    assert.strictEqual(store.get('/ws/app/sub')?.project, '/ws/app');
    assert.strictEqual(store.get('/ws/app')?.project, '/ws/app');
    assert.strictEqual(store.get('/elsewhere'), undefined);
  });

  it('keeps the newest status and tells listeners', () => {
    const store = new StatusStore();
    const seen: number[] = [];
    store.onDidChange((s) => seen.push(s?.statements.total ?? -1));
    store.update(servedStatus({ statements: { total: 1, nonPortable: 0, excluded: 0, newSinceBuild: 0, invalidLines: 0 } }));
    store.update(servedStatus({ statements: { total: 5, nonPortable: 0, excluded: 0, newSinceBuild: 0, invalidLines: 0 } }));
    assert.strictEqual(store.get('/home/u/FLInsurance')?.statements.total, 5);
    assert.strictEqual(store.get(undefined)?.statements.total, 5); // the only project
    store.clear();
    assert.deepStrictEqual(seen, [1, 5, -1]);
    assert.strictEqual(store.all().length, 0);
  });
});
