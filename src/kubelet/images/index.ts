// Images without a registry: reproducible OCI tarballs k8ts builds, and import into containerd.
export * from './oci-layout.js';
export * from './busybox.js';
export * from './import.js';
