// Serves any ContainerRuntime (usually FakeRuntime) as a CRI v1 gRPC server on a unix socket,
// so CRIClient is tested over the real wire with the project's api.proto.
import * as grpc from '@grpc/grpc-js';
import { loadRuntimePackage } from '../client.js';
import { CRI_ERROR_CODES, CRIError, type ContainerRuntime } from '../service.js';

type Handler = (req: Record<string, unknown>) => Promise<unknown>;

function handlers(rt: ContainerRuntime): { runtime: Record<string, Handler>; image: Record<string, Handler> } {
  // Requests arrive decoded by the proto loader in the shapes of types.ts; `as never` hands each
  // field to the runtime method unchanged.
  return {
    runtime: {
      Version: async (q) => rt.version(q.version as never),
      Status: async (q) => rt.status(q.verbose as never),
      UpdateRuntimeConfig: async (q) => (await rt.updateRuntimeConfig((q.runtimeConfig ?? {}) as never), {}),
      RunPodSandbox: async (q) => ({ podSandboxId: await rt.runPodSandbox((q.config ?? {}) as never, q.runtimeHandler as never) }),
      StopPodSandbox: async (q) => (await rt.stopPodSandbox(q.podSandboxId as never), {}),
      RemovePodSandbox: async (q) => (await rt.removePodSandbox(q.podSandboxId as never), {}),
      PodSandboxStatus: async (q) => rt.podSandboxStatus(q.podSandboxId as never, q.verbose as never),
      ListPodSandbox: async (q) => ({ items: await rt.listPodSandbox((q.filter ?? undefined) as never) }),
      CreateContainer: async (q) => ({ containerId: await rt.createContainer(q.podSandboxId as never, (q.config ?? {}) as never, (q.sandboxConfig ?? {}) as never) }),
      StartContainer: async (q) => (await rt.startContainer(q.containerId as never), {}),
      StopContainer: async (q) => (await rt.stopContainer(q.containerId as never, q.timeout as never), {}),
      RemoveContainer: async (q) => (await rt.removeContainer(q.containerId as never), {}),
      ListContainers: async (q) => ({ containers: await rt.listContainers((q.filter ?? undefined) as never) }),
      ContainerStatus: async (q) => rt.containerStatus(q.containerId as never, q.verbose as never),
      UpdateContainerResources: async (q) => (await rt.updateContainerResources(q.containerId as never, (q.linux ?? {}) as never), {}),
      ReopenContainerLog: async (q) => (await rt.reopenContainerLog(q.containerId as never), {}),
      ExecSync: async (q) => rt.execSync(q.containerId as never, q.cmd as never, q.timeout as never),
      Exec: async (q) => ({ url: await rt.exec(q as never) }),
      Attach: async (q) => ({ url: await rt.attach(q as never) }),
      PortForward: async (q) => ({ url: await rt.portForward(q as never) }),
      ContainerStats: async (q) => ({ stats: await rt.containerStats(q.containerId as never) }),
      ListContainerStats: async (q) => ({ stats: await rt.listContainerStats((q.filter ?? undefined) as never) }),
    },
    image: {
      ListImages: async (q) => ({ images: await rt.listImages((q.filter as { image?: never } | null)?.image ?? undefined) }),
      ImageStatus: async (q) => rt.imageStatus((q.image ?? {}) as never, q.verbose as never),
      PullImage: async (q) => ({ imageRef: await rt.pullImage((q.image ?? {}) as never, q.auth as never, q.sandboxConfig as never) }),
      RemoveImage: async (q) => (await rt.removeImage((q.image ?? {}) as never), {}),
      ImageFsInfo: async () => rt.imageFsInfo(),
    },
  };
}

function wrap(impl: Record<string, Handler>): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = {};
  for (const [name, fn] of Object.entries(impl)) {
    out[name] = ((call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      fn(call.request).then(
        (res) => cb(null, res),
        (err: unknown) => {
          const code = err instanceof CRIError ? CRI_ERROR_CODES.indexOf(err.code) : grpc.status.UNKNOWN;
          const details = err instanceof CRIError ? err.message.slice(err.method.length + 2) : String(err);
          cb({ code, details, name: 'Error', message: details, metadata: new grpc.Metadata() });
        },
      );
    }) as grpc.handleUnaryCall<Record<string, unknown>, unknown>;
  }
  return out;
}

/** Starts a gRPC server for `rt` on `socketPath`; resolves with a function that stops it. */
export async function serveRuntime(rt: ContainerRuntime, socketPath: string): Promise<() => Promise<void>> {
  const pkg = loadRuntimePackage();
  const server = new grpc.Server();
  const h = handlers(rt);
  server.addService((pkg.RuntimeService as grpc.ServiceClientConstructor).service, wrap(h.runtime));
  server.addService((pkg.ImageService as grpc.ServiceClientConstructor).service, wrap(h.image));
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
  });
  return () => new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
}
