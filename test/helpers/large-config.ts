// A declarative config shaped like the translator's output for N Services x 10 endpoints behind N
// HTTPRoutes (sticky upstreams, pod-UID tags): about 1.5-2 kB per Service. Used by the config-push
// test and bench/config-push.ts.

/**
 * largeConfig: `services` Services; route `/app-<i>/`; the first route also answers `/` from
 * `backend`. `drained` sets one target of that upstream to weight 0 (a pod draining), the change
 * the controller pushes most often.
 */
export function largeConfig(services: number, backend: string, salt = '', drained = -1): Record<string, unknown> {
  const upstreams = [];
  const svcs = [];
  for (let i = 0; i < services; i++) {
    const tags = [`k8s-name:app-${i}`, 'k8s-namespace:bench', 'k8s-kind:Service', `k8s-uid:svc-${i}${salt}`];
    upstreams.push({
      name: `app-${i}.bench.80.svc`, algorithm: 'sticky-sessions', sticky_sessions_cookie: 'session-id', sticky_sessions_cookie_path: '/',
      tags,
      targets: i === 0
        ? [{ target: backend, weight: 100, tags: ['berth.identity=pod-0-0'] }]
        : Array.from({ length: 10 }, (_, j) => ({
          target: `10.${(i >> 8) & 255}.${i & 255}.${j + 1}:8080`, weight: i === drained && j === 0 ? 0 : 100, tags: [`berth.identity=pod-${i}-${j}`],
        })),
    });
    svcs.push({
      name: `bench.app-${i}.80`, host: `app-${i}.bench.80.svc`, port: 80, protocol: 'http', path: '/', retries: 5,
      connect_timeout: 60000, read_timeout: 60000, write_timeout: 60000, tags,
      routes: [{
        name: `httproute.bench.app-${i}.0.0`, paths: i === 0 ? ['/'] : [`~/app-${i}$`, `/app-${i}/`],
        hosts: i === 0 ? undefined : [`app-${i}.example.com`], protocols: ['http', 'https'], strip_path: false, preserve_host: true,
        tags: [`k8s-name:app-${i}`, 'k8s-namespace:bench', 'k8s-kind:HTTPRoute', 'k8s-group:gateway.networking.k8s.io', 'k8s-version:v1'],
      }],
    });
  }
  return { _format_version: '3.0', services: svcs, upstreams };
}
