import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { readGatewayAddresses } from './gateway-addresses.js';

const gw = (addresses: unknown[]): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'a' }, spec: { gatewayClassName: 'kong', addresses, listeners: [] },
});
const HOST = ['127.0.0.1/8', '::1', '192.0.2.2'];

test('IP addresses are static; one without a value asks to be assigned one', () => {
  assert.deepEqual(readGatewayAddresses(gw([{ value: '10.0.0.1' }, { type: 'IPAddress', value: '::1' }, { type: 'IPAddress' }]), undefined),
    { static: ['10.0.0.1', '::1'], unusable: [], usable: ['10.0.0.1', '::1'] });
});

test('a type other than IPAddress, or a value that is no IP address, is unsupported', () => {
  assert.match(readGatewayAddresses(gw([{ type: 'Hostname', value: 'gw.example.com' }]), undefined).unsupported ?? '', /Hostname is not supported/);
  assert.match(readGatewayAddresses(gw([{ type: 'test/fake-invalid-type', value: 'x' }]), undefined).unsupported ?? '', /test\/fake-invalid-type/);
  assert.match(readGatewayAddresses(gw([{ value: '10.0.0.300' }]), undefined).unsupported ?? '', /not an IP address/);
  assert.match(readGatewayAddresses(gw([{ value: 7 }]), undefined).unsupported ?? '', /not an IP address/);
});

test('with the host known, an address none of its interfaces has is unusable; a loopback range and the wildcards are usable', () => {
  const read = readGatewayAddresses(gw([{ value: '127.0.0.2' }, { value: '192.0.2.2' }, { value: '203.0.113.7' }, { value: '0.0.0.0' }, { value: '::' },
    { value: '::0' }, { value: '0:0:0:0:0:0:0:0' }, { value: '::2' }]), HOST);
  assert.deepEqual(read.unusable, ['203.0.113.7', '::2']);
  assert.deepEqual(read.usable, ['127.0.0.2', '192.0.2.2', '0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);
  assert.deepEqual(readGatewayAddresses(gw([{ value: '203.0.113.7' }]), undefined).unusable, [], 'not judged without the host');
});

test('malformed spec.addresses entries are ignored or unsupported, never a crash', () => {
  for (const junk of [null, 'x', 3, [], { type: null }, { value: null }]) assert.doesNotThrow(() => readGatewayAddresses(gw([junk]), HOST));
  assert.deepEqual(readGatewayAddresses({ ...gw([]), spec: { addresses: 'nope' } }, HOST), { static: [], unusable: [], usable: [] });
});
