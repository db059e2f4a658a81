export { Indexer, keyOf, splitKey, namespaceIndexFunc, NAMESPACE_INDEX } from './indexer.js';
export type { IndexFunc, Indexers, Store } from './indexer.js';
export { Reflector, listerWatcherFor, sleep } from './reflector.js';
export type { ListerWatcher, ReflectorSink, ReflectorOptions, ListSelector } from './reflector.js';
export { SharedInformer, Lister } from './informer.js';
export type { EventHandler, Registration, SharedInformerOptions } from './informer.js';
export { SharedInformerFactory, gvrString } from './factory.js';
export type { InformerFactoryOptions, InformerRequest } from './factory.js';
