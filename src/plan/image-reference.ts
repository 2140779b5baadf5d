import * as path from 'node:path';

/** The skopeo transports an image bootstrap accepts (containers-transports(5)). */
export type ImageTransport = 'docker' | 'oci-archive' | 'docker-archive' | 'oci';

export interface ImageReference {
  transport: ImageTransport;
  /** What follows the transport, with a relative file or directory made absolute. */
  rest: string;
  /** `transport:rest` as skopeo reads it. */
  skopeo: string;
}

const PREFIXES: ReadonlyArray<[string, ImageTransport]> = [
  ['docker://', 'docker'],
  ['oci-archive:', 'oci-archive'],
  ['docker-archive:', 'docker-archive'],
  ['oci:', 'oci'],
];

export const IMAGE_REFERENCE_HINT =
  "write the transport first: 'docker://docker.io/library/alpine:3.20', 'oci-archive:./img.tar', 'docker-archive:./saved.tar' or 'oci:./layout:TAG'";

/** Splits `transport:rest`; undefined for a transport haco does not take. */
export function parseImageReference(reference: string, baseDir: string): ImageReference | undefined {
  for (const [prefix, transport] of PREFIXES) {
    if (!reference.startsWith(prefix)) continue;
    let rest = reference.slice(prefix.length);
    if (rest === '') return undefined;
    if (transport !== 'docker') {
      // oci:DIR:TAG and docker-archive:FILE:REF carry an optional reference after the path.
      const colon = transport === 'oci-archive' ? -1 : rest.indexOf(':');
      const file = colon < 0 ? rest : rest.slice(0, colon);
      const tail = colon < 0 ? '' : rest.slice(colon);
      rest = path.resolve(baseDir, file) + tail;
    }
    return { transport, rest, skopeo: transport === 'docker' ? `docker://${rest}` : `${transport}:${rest}` };
  }
  return undefined;
}
