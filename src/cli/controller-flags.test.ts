import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { addControllerFlags, kubeconfigFrom, translateOptionsFrom, type ControllerFlagValues } from './controller-flags.js';

/** parse runs the flags through commander as `berth run` would, with env overrides applied for the call. */
function parse(args: string[], env: Record<string, string> = {}): ControllerFlagValues {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const cmd = addControllerFlags(new Command('run').exitOverride().configureOutput({ writeErr: () => {} }));
    cmd.parse(args, { from: 'user' });
    return cmd.opts<ControllerFlagValues>();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('controller flags', () => {
  it('defaults: drain support on, KIC controller name and ingress class, all namespaces', () => {
    assert.deepEqual(translateOptionsFrom(parse([])), {
      controllerName: 'konghq.com/kic-gateway-controller', ingressClass: 'kong', enableDrainSupport: true, watchNamespaces: [],
      publishService: undefined, publishStatusAddresses: [],
    });
  });

  it('--publish-service and --publish-status-address, or KIC\'s CONTROLLER_PUBLISH_* variables', () => {
    const flags = translateOptionsFrom(parse(['--publish-service', 'kong/proxy', '--publish-status-address', '10.0.0.1, lb.example.com']));
    assert.deepEqual([flags.publishService, flags.publishStatusAddresses], ['kong/proxy', ['10.0.0.1', 'lb.example.com']]);
    const env = translateOptionsFrom(parse([], { CONTROLLER_PUBLISH_SERVICE: 'a/b', CONTROLLER_PUBLISH_STATUS_ADDRESS: '192.0.2.7' }));
    assert.deepEqual([env.publishService, env.publishStatusAddresses], ['a/b', ['192.0.2.7']]);
  });

  it('accepts --flag, --flag=true and --flag=false as the guide writes them', () => {
    assert.equal(parse(['--enable-drain-support']).enableDrainSupport, true);
    assert.equal(parse(['--enable-drain-support=true']).enableDrainSupport, true);
    assert.equal(parse(['--enable-drain-support=false']).enableDrainSupport, false);
    assert.throws(() => parse(['--enable-drain-support=maybe']));
  });

  it('reads CONTROLLER_* variables, flags win over them, namespaces are a comma list', () => {
    const env = { CONTROLLER_ENABLE_DRAIN_SUPPORT: 'false', CONTROLLER_INGRESS_CLASS: 'other', CONTROLLER_WATCH_NAMESPACE: 'a, b' };
    const fromEnv = translateOptionsFrom(parse([], env));
    assert.deepEqual([fromEnv.enableDrainSupport, fromEnv.ingressClass, fromEnv.watchNamespaces], [false, 'other', ['a', 'b']]);
    const flagsWin = translateOptionsFrom(parse(['--ingress-class', 'mine', '--watch-namespace', 'c', '--watch-namespace', 'd,e',
      '--gateway-api-controller-name', 'example.com/x'], env));
    assert.deepEqual([flagsWin.ingressClass, flagsWin.watchNamespaces, flagsWin.controllerName], ['mine', ['c', 'd', 'e'], 'example.com/x']);
  });

  it('finds the kubeconfig in --kubeconfig, CONTROLLER_KUBECONFIG, then KUBECONFIG', () => {
    assert.equal(kubeconfigFrom(parse(['--kubeconfig', '/a']), { KUBECONFIG: '/b' }), '/a');
    assert.equal(kubeconfigFrom(parse([], { CONTROLLER_KUBECONFIG: '/c' }), { KUBECONFIG: '/b' }), '/c');
    assert.equal(kubeconfigFrom(parse([]), { KUBECONFIG: '/b' }), '/b');
    assert.equal(kubeconfigFrom(parse([]), {}), undefined);
  });
});
