import type { KubeObject } from '../types.js';

/**
 * ObjectSource is where the controller reads Kubernetes objects from: a cluster (informers) or a
 * folder of manifests. Both feed the same translator, so a folder is a cluster without an API server.
 */
export interface ObjectSource {
  /** Resolves when the first full view is loaded. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The current objects. */
  objects(): KubeObject[];
  /** Any add/update/delete; the controller coalesces bursts, so sources may call it freely. */
  onChange(listener: () => void): void;
  readonly synced: boolean;
}
