// The Klinik KUMKM client: openapi-fetch over the types generated from the contract.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

export type { paths, components, operations } from "./schema.js";

/** A client for the API at `baseUrl` (e.g. `https://klinik.example.go.id`), sending `token`. */
export function klinikClient(baseUrl: string, token?: string) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers["Authorization"] = `Bearer ${token}`;
  return createClient<paths>({ baseUrl, headers });
}
