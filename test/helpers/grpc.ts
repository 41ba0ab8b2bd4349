// A real @grpc/grpc-js Echo server (test/fixtures/grpc/echo.proto) standing in for a gRPC pod,
// and a client constructor for tests that call through berth.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = fileURLToPath(new URL('../fixtures/grpc/echo.proto', import.meta.url));
const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, defaults: true });
const echoPackage = (grpc.loadPackageDefinition(definition) as any).berth.test;

export interface SayReply {
  text: string;
  pod: string;
  /** The path the server was called on (/berth.test.Echo/Say). */
  method: string;
  /** The metadata the server received, one entry per value, in arrival order. */
  headers: Array<{ key: string; value: string }>;
}

/** received lists a call's metadata as SayReply.headers (binary values base64, as on the wire). */
function received(md: grpc.Metadata): SayReply['headers'] {
  return Object.entries(md.toJSON()).flatMap(([key, values]) =>
    values.map((v) => ({ key, value: typeof v === 'string' ? v : v.toString('base64') })),
  );
}

export interface GrpcBackend {
  name: string;
  address: string;
  /** Calls served, in order, with the x-berth-session metadata each carried. */
  calls: Array<{ method: string; session: string | undefined }>;
  close(): Promise<void>;
}

/** startGrpcBackend serves Echo on host:0 (h2c) and answers with `name` as the pod, the path and the metadata it received. */
export async function startGrpcBackend(name: string, host = '127.0.0.1'): Promise<GrpcBackend> {
  const server = new grpc.Server();
  const calls: GrpcBackend['calls'] = [];
  const session = (md: grpc.Metadata): string | undefined => md.get('x-berth-session')[0]?.toString();
  server.addService(echoPackage.Echo.service, {
    Say(call: grpc.ServerUnaryCall<any, SayReply>, done: grpc.sendUnaryData<SayReply>) {
      calls.push({ method: 'Say', session: session(call.metadata) });
      const { text, delay_ms, fail_code } = call.request;
      if (fail_code > 0) return done({ code: fail_code, details: `failed on ${name}: ${text}` });
      setTimeout(() => done(null, { text, pod: name, method: call.getPath(), headers: received(call.metadata) }), delay_ms);
    },
    Third(call: grpc.ServerUnaryCall<any, SayReply>, done: grpc.sendUnaryData<SayReply>) {
      calls.push({ method: 'Third', session: session(call.metadata) });
      done(null, { text: call.request.text, pod: name, method: call.getPath(), headers: received(call.metadata) });
    },
    Count(call: grpc.ServerWritableStream<any, SayReply>) {
      calls.push({ method: 'Count', session: session(call.metadata) });
      for (let i = 0; i < call.request.n; i++) call.write({ text: String(i), pod: name, method: call.getPath(), headers: received(call.metadata) });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    name,
    address: `${host}:${port}`,
    calls,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** echoClient: an Echo client for `address` (h2c, `authority` as :authority), or over TLS trusting `ca` for `servername`. */
export function echoClient(address: string, tls?: { ca: Buffer; servername: string }, authority?: string): grpc.Client & Record<string, any> {
  if (tls === undefined) return new echoPackage.Echo(address, grpc.credentials.createInsecure(), authority === undefined ? {} : { 'grpc.default_authority': authority });
  return new echoPackage.Echo(address, grpc.credentials.createSsl(tls.ca), { 'grpc.ssl_target_name_override': tls.servername, 'grpc.default_authority': tls.servername });
}

export interface CallResult {
  reply: SayReply | null;
  error: grpc.ServiceError | null;
  /** Initial metadata the server (or berth) sent. */
  headers: grpc.Metadata | null;
}

/** say makes one unary call and settles with its reply or error (never rejects). */
export function say(client: any, request: Record<string, unknown>, opts: { metadata?: grpc.Metadata; deadlineMs?: number; method?: 'Say' | 'Third' } = {}): Promise<CallResult> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | null = null;
    const call = client[opts.method ?? 'Say'](request, opts.metadata ?? new grpc.Metadata(), { deadline: Date.now() + (opts.deadlineMs ?? 5000) }, (error: grpc.ServiceError | null, reply: SayReply) =>
      resolve({ reply: error ? null : reply, error, headers }),
    );
    call.on('metadata', (md: grpc.Metadata) => (headers = md));
  });
}

/** count collects a server stream of n replies. */
export function count(client: any, n: number, opts: { metadata?: grpc.Metadata } = {}): Promise<{ replies: SayReply[]; error: grpc.ServiceError | null }> {
  return new Promise((resolve) => {
    const replies: SayReply[] = [];
    const call = client.Count({ n }, opts.metadata ?? new grpc.Metadata(), { deadline: Date.now() + 5000 });
    call.on('data', (r: SayReply) => replies.push(r));
    call.on('error', (error: grpc.ServiceError) => resolve({ replies, error }));
    call.on('end', () => resolve({ replies, error: null }));
  });
}

export { grpc };
