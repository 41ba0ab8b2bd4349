import type { Command } from 'commander';
import { DEFAULT_TRANSLATE_OPTIONS, type TranslateOptions } from '../controlplane/types.js';
import { boolOption, listOption, valueOption } from './flags.js';

/** ControllerFlagValues is what commander hands back for the flags added by addControllerFlags. */
export interface ControllerFlagValues {
  enableDrainSupport?: boolean;
  gatewayApiControllerName?: string;
  ingressClass?: string;
  watchNamespace?: string[];
  kubeconfig?: string;
  publishService?: string;
  publishStatusAddress?: string[];
}

/** addControllerFlags adds the controller flags under the names and environment variables KIC uses. */
export function addControllerFlags(cmd: Command): Command {
  return cmd
    .addOption(boolOption('--enable-drain-support', 'keep terminating endpoints with weight 0 so sticky sessions drain',
      'CONTROLLER_ENABLE_DRAIN_SUPPORT', DEFAULT_TRANSLATE_OPTIONS.enableDrainSupport))
    .addOption(valueOption('--gateway-api-controller-name', 'GatewayClass controllerName to manage',
      'CONTROLLER_GATEWAY_API_CONTROLLER_NAME', DEFAULT_TRANSLATE_OPTIONS.controllerName))
    .addOption(valueOption('--ingress-class', 'Ingress class to manage', 'CONTROLLER_INGRESS_CLASS',
      DEFAULT_TRANSLATE_OPTIONS.ingressClass))
    .addOption(listOption('--watch-namespace', 'namespaces to watch (comma list; default all)',
      'CONTROLLER_WATCH_NAMESPACE'))
    .addOption(valueOption('--publish-service', 'namespace/name of the Service whose addresses Gateways and Ingresses report',
      'CONTROLLER_PUBLISH_SERVICE'))
    .addOption(listOption('--publish-status-address', 'addresses Gateways and Ingresses report (comma list; wins over --publish-service)',
      'CONTROLLER_PUBLISH_STATUS_ADDRESS'))
    .addOption(valueOption('--kubeconfig', 'kubeconfig file (default KUBECONFIG, CONTROLLER_KUBECONFIG, in-cluster)',
      'CONTROLLER_KUBECONFIG'));
}

/** translateOptionsFrom turns parsed controller flags into the translator's options. */
export function translateOptionsFrom(opts: ControllerFlagValues): TranslateOptions {
  return {
    controllerName: opts.gatewayApiControllerName ?? DEFAULT_TRANSLATE_OPTIONS.controllerName,
    ingressClass: opts.ingressClass ?? DEFAULT_TRANSLATE_OPTIONS.ingressClass,
    enableDrainSupport: opts.enableDrainSupport ?? DEFAULT_TRANSLATE_OPTIONS.enableDrainSupport,
    watchNamespaces: opts.watchNamespace ?? [],
    publishService: opts.publishService,
    publishStatusAddresses: opts.publishStatusAddress ?? [],
  };
}

/** kubeconfigFrom resolves --kubeconfig / CONTROLLER_KUBECONFIG, then KUBECONFIG; undefined = in-cluster or default. */
export function kubeconfigFrom(opts: ControllerFlagValues, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return opts.kubeconfig || env.KUBECONFIG || undefined;
}
