/**
 * The files library as guest code reaches it, in the engine's options. Node-free on purpose (the engine's
 * types are part of the portable core), so the library and the URL signer are opaque here; the gateway
 * (guest-gateway.ts, Node) checks at creation that they are a Library and a DownloadUrls.
 */
export interface GuestLibraryAccess {
  /** A Library (src/library/library.ts). */
  library: object;
  /** A DownloadUrls (src/library/download-urls.ts) that signs createDownloadUrl's URLs and serves them; absent: none. */
  downloadUrls?: SignedDownloadOrigin;
  /** The project's `library_bytes` quota, read at each upload. */
  quotaOf?(project: string): number | undefined;
}

export interface SignedDownloadOrigin {
  /** Where signed URLs point, once the service knows its public URL: lanes let guest requests to it through. */
  readonly origin: string | undefined;
}
