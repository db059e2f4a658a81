// Parses a request path into what it addresses (upstream k8s.io/apiserver/pkg/endpoints/request
// RequestInfoFactory): API prefix, group, version, namespace, resource, name, subresource, verb.

export type RequestVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'proxy'
  | 'connect';

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** `api` or `apis` for resource requests. */
  apiPrefix?: 'api' | 'apis';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  subresource: string;
  name: string;
  verb: RequestVerb | string;
  /** Path segments after the prefix/group/version. */
  parts: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Go's strconv.ParseBool spellings (upstream parses query booleans with it). */
export const GO_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
export const GO_FALSE: ReadonlySet<string> = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** Returns a non-resource RequestInfo for paths outside /api and /apis, and for discovery paths. */
export function parseRequestInfo(method: string, rawPath: string, query: URLSearchParams): RequestInfo {
  const path = rawPath;
  const segs = path.split('/').filter((s, i, a) => s !== '' || (i > 0 && i < a.length - 1));
  const nonResource: RequestInfo = {
    isResourceRequest: false,
    path,
    group: '',
    version: '',
    resource: '',
    subresource: '',
    name: '',
    verb: method.toLowerCase(),
    parts: segs,
  };
  if (segs.length === 0 || (segs[0] !== 'api' && segs[0] !== 'apis')) return nonResource;
  const apiPrefix = segs[0] as 'api' | 'apis';
  let rest = segs.slice(1);
  let group = '';
  if (apiPrefix === 'apis') {
    if (rest.length < 2) return { ...nonResource, apiPrefix, group: rest[0] ?? '' };
    group = rest[0]!;
    rest = rest.slice(1);
  }
  if (rest.length < 1) return { ...nonResource, apiPrefix };
  const version = rest[0]!;
  rest = rest.slice(1);
  if (rest.length === 0) return { ...nonResource, apiPrefix, group, version };

  let verb: string;
  let isWatchPath = false;
  if (rest[0] === 'watch') {
    isWatchPath = true;
    rest = rest.slice(1);
  }
  switch (method) {
    case 'POST':
      verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      verb = 'get';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = 'delete';
      break;
    default:
      verb = method.toLowerCase();
  }

  let namespace: string | undefined;
  let resource = '';
  let name = '';
  let subresource = '';
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      namespace = rest[1];
      // /namespaces/{name}/status and /finalize address the namespace itself.
      if (rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
        resource = rest[2]!;
        name = rest[3] ?? '';
        subresource = rest[4] ?? '';
        if (rest.length > 5) subresource = rest.slice(4).join('/');
      } else {
        resource = 'namespaces';
        name = namespace!;
        namespace = undefined;
        subresource = rest[2] ?? '';
      }
    } else {
      resource = 'namespaces';
    }
  } else {
    resource = rest[0]!;
    name = rest[1] ?? '';
    subresource = rest[2] ?? '';
    if (rest.length > 3) subresource = rest.slice(2).join('/');
  }

  if (isWatchPath) verb = 'watch';
  else if (verb === 'get' && !name) verb = GO_TRUE.has(query.get('watch') ?? '') ? 'watch' : 'list';
  else if (verb === 'delete' && !name) verb = 'deletecollection';
  // Sub-paths of proxy subresources (`pods/x/proxy/some/path`) keep only the first segment.
  const sub0 = subresource.split('/')[0]!;
  if (CONNECT_SUBRESOURCES.has(sub0)) subresource = sub0;

  return { isResourceRequest: true, path, apiPrefix, group, version, namespace, resource, name, subresource, verb, parts: rest };
}
