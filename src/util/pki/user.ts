import type { PeerCertificate } from 'node:tls';

/** The user a verified client certificate authenticates as. */
export interface CertificateUser {
  name: string;
  groups: string[];
}

/**
 * Reads the user from a client certificate the way kube-apiserver's x509 authenticator does:
 * the subject CN is the user name and every subject O is a group. Returns undefined when there
 * is no certificate or no CN. The caller must already have checked `socket.authorized`.
 */
export function userFromCertificate(cert: PeerCertificate | undefined): CertificateUser | undefined {
  // Node gives a string for one value and an array for several, despite the declared type.
  const subject = cert?.subject as Record<string, string | string[] | undefined> | undefined;
  if (!subject) return undefined;
  const name = values(subject['CN'])[0];
  if (!name) return undefined;
  return { name, groups: values(subject['O']) };
}

function values(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
