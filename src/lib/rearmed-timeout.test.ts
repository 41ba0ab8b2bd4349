import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RearmedTimeout } from './rearmed-timeout.js';

test('arming again while armed keeps the first deadline', async () => {
  // Node fires timers in the order of their deadlines, so this holds however late the loop runs.
  let fired = 0;
  const timeout = new RearmedTimeout(() => fired++, 40);
  timeout.arm(); // deadline at 40 ms
  await sleep(25);
  timeout.arm(); // must not move it to 65 ms
  await sleep(25); // 50 ms: after the first deadline, before a moved one
  assert.equal(fired, 1, 'the second arm() postponed the deadline');
  timeout.cancel();
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
