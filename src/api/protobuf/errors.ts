// Errors from decoding a Kubernetes protobuf body. The API server answers them with 400 and the
// message, as kube-apiserver does for a body its protobuf serializer cannot decode.

export type ProtobufDecodeErrorCode =
  /** The body does not start with the `k8s\x00` magic. */
  | 'BadMagic'
  /** The input ends inside a field (upstream: `unexpected EOF`). */
  | 'Truncated'
  /** A wire type that is invalid, or invalid for the field (upstream: `proto: wrong wireType = …`). */
  | 'BadWireType'
  /** A field number of 0 or below, a negative length or a varint longer than 64 bits. */
  | 'Malformed'
  /** apiVersion/kind name no type this server decodes from protobuf. */
  | 'UnknownKind'
  /** An int64 outside JavaScript's safe integer range. */
  | 'IntegerOverflow'
  /** A value the JSON form cannot carry (bad Quantity, IntOrString type, raw JSON, NaN, …). */
  | 'InvalidValue'
  /** Messages nested deeper than the decoder allows. */
  | 'TooDeep';

export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
  constructor(
    readonly code: ProtobufDecodeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
