import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RearmedTimeout } from './rearmed-timeout.js';

test('arm fires once after its delay; arming again while armed keeps the first deadline', async () => {
  const fired: number[] = [];
  const started = Date.now();
  const timeout = new RearmedTimeout(() => fired.push(Date.now() - started), 40);
  timeout.arm();
  await sleep(25);
  timeout.arm(); // must not push the deadline to 65 ms
  await sleep(70);
  assert.equal(fired.length, 1);
  assert.ok(fired[0]! < 60, `fired after ${fired[0]} ms, the second arm() postponed it`);
});

test('a fired timeout is armed again by the next arm()', async () => {
  let fired = 0;
  const timeout = new RearmedTimeout(() => fired++, 10);
  timeout.arm();
  await sleep(40);
  timeout.arm();
  await sleep(40);
  assert.equal(fired, 2);
});

test('cancel stops a pending fire, and arm() after cancel fires again (refresh() on a cleared Timeout would not)', async () => {
  let fired = 0;
  const timeout = new RearmedTimeout(() => fired++, 10);
  timeout.arm();
  timeout.cancel();
  await sleep(40);
  assert.equal(fired, 0);
  timeout.arm();
  await sleep(40);
  assert.equal(fired, 1);
  timeout.cancel();
});
