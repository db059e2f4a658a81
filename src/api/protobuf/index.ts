// Kubernetes protobuf request bodies → the JSON objects a JSON client would have sent.
export { decodeKubernetesProtobuf, isKubernetesProtobuf, KUBERNETES_PROTOBUF, PROTOBUF_MAGIC } from './decode.js';
export type { GroupVersionKind } from './decode.js';
export { ProtobufDecodeError } from './errors.js';
export type { ProtobufDecodeErrorCode } from './errors.js';
