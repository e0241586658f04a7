// The part of node-gost-crypto (MIT, no typings) used here: its GOST R 34.11 digests.
declare module 'node-gost-crypto/lib/gostDigest.js' {
  interface GostDigestAlgorithm {
    name: 'GOST R 34.11';
    version: 1994 | 2012;
    length?: 256 | 512;
    /** GOST 28147-89 S-box of GOST R 34.11-94: 'D-TEST' (the standard's test box), 'D-A' (CryptoPro). */
    sBox?: string;
  }
  class GostDigest {
    constructor(algorithm: GostDigestAlgorithm);
    digest(data: ArrayBuffer | ArrayBufferView): ArrayBuffer;
  }
  export default GostDigest;
}
