import * as assert from 'assert';
import { StatusStore } from '../../src/statusStore';
import { recordedStatus } from './fixtures';

const status = (project: string, total: number) => {
  const s = recordedStatus('status');
  return { ...s, project, statements: { ...s.statements, total } };
};

describe('StatusStore', () => {
  it('maps a folder to the project the server resolved it to', () => {
    const store = new StatusStore();
    store.update(status('/ws/app', 1), '/ws/app/sub/');
    assert.strictEqual(store.get('/ws/app/sub')?.project, '/ws/app');
    assert.strictEqual(store.get('/ws/app')?.project, '/ws/app');
    assert.strictEqual(store.get('/elsewhere'), undefined);
  });

  it('keeps the newest status and tells listeners', () => {
    const store = new StatusStore();
    const seen: number[] = [];
    store.onDidChange((s) => seen.push(s?.statements.total ?? -1));
    store.update(status('/home/u/FLInsurance', 1));
    store.update(status('/home/u/FLInsurance', 5));
    assert.strictEqual(store.get('/home/u/FLInsurance')?.statements.total, 5);
    assert.strictEqual(store.get(undefined)?.statements.total, 5); // the only project
    store.clear();
    assert.deepStrictEqual(seen, [1, 5, -1]);
    assert.strictEqual(store.all().length, 0);
  });
});
