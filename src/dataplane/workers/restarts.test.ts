import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Restarts } from './restarts.js';

describe('Restarts', () => {
  it('replaces a worker that served a while at once, and backs off on a crash loop', () => {
    const r = new Restarts(100, 5_000, 30_000);
    assert.equal(r.next(1_000_000), 100);
    assert.equal(r.next(1_000_200), 200);
    assert.equal(r.next(1_000_500), 400);
    for (let i = 0; i < 10; i++) r.next(1_001_000 + i);
    assert.equal(r.next(1_002_000), 5_000, 'capped');
    assert.equal(r.next(1_100_000), 100, 'calm again after calmMs');
  });
});
