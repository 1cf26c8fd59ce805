// A frontend's path through the API with the generated types, run by .ci/run against the release
// server: sign in, list with filters, create, a 422 read by its code, a stale If-Match answered
// 412, and an XLSX download as a blob. Usage: node dist/flow.js BASE_URL USERNAME (password in
// KLINIK_CLIENT_PASSWORD). Exits non-zero at the first surprise.
import { klinikClient } from "./index.js";

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`flow: ${what}`);
}

async function main(): Promise<void> {
  const [baseUrl, username] = process.argv.slice(2);
  const password = process.env["KLINIK_CLIENT_PASSWORD"];
  check(baseUrl !== undefined && username !== undefined && password !== undefined, "usage");

  const signIn = await klinikClient(baseUrl).POST("/api/v1/auth/login", {
    body: { username, password },
  });
  check(signIn.data !== undefined, `sign-in answered ${signIn.response.status}`);
  const api = klinikClient(baseUrl, signIn.data.access_token);

  const listed = await api.GET("/api/v1/cooperatives", {
    params: { query: { kecamatan_code: "32.71.01", status: "aktif", page_size: 5, sort: "-created_at" } },
  });
  check(listed.data !== undefined, `list answered ${listed.response.status}`);
  check(listed.data.page_size === 5 && Array.isArray(listed.data.items), "a page of cooperatives");

  const created = await api.POST("/api/v1/cooperatives", {
    body: {
      name: `Koperasi Klien TypeScript ${Date.now()}`,
      form: "primer",
      type: "konsumen",
      kelurahan_code: "32.71.01.1006",
    },
  });
  check(created.response.status === 201 && created.data !== undefined, `create answered ${created.response.status}`);
  const id = created.data.id;
  const etag = created.response.headers.get("ETag");
  check(etag !== null, "the create answers an ETag");

  const invalid = await api.POST("/api/v1/cooperatives", {
    body: { name: "", form: "primer", type: "konsumen", kelurahan_code: "32.71.01.1006" },
  });
  check(invalid.response.status === 422 && invalid.error !== undefined, "an empty name is refused");
  check(invalid.error.code === "validation_failed", `422 code ${invalid.error.code}`);
  check(invalid.error.errors?.some((e) => e.field === "name") === true, "the 422 names the field");

  const renamed = await api.PATCH("/api/v1/cooperatives/{id}", {
    params: { path: { id }, header: { "If-Match": etag } },
    body: { name: `Koperasi Klien TypeScript ${id}` },
  });
  check(renamed.data !== undefined, `update answered ${renamed.response.status}`);
  const stale = await api.PATCH("/api/v1/cooperatives/{id}", {
    params: { path: { id }, header: { "If-Match": etag } },
    body: { name: "Koperasi yang terlambat" },
  });
  check(stale.response.status === 412, `a stale If-Match answered ${stale.response.status}`);
  check(stale.error?.code === "precondition_failed", "412 carries its code");

  const workbook = await api.GET("/api/v1/exports/cooperatives.xlsx", {
    params: { query: { kecamatan_code: "32.71.01" } },
    parseAs: "blob",
  });
  check(workbook.data instanceof Blob, `download answered ${workbook.response.status}`);
  const head = new Uint8Array(await workbook.data.slice(0, 2).arrayBuffer());
  check(head[0] === 0x50 && head[1] === 0x4b, "the XLSX is a zip (PK)");

  console.log(`typescript client: signed in, listed, created ${id}, read a 422 and a 412, downloaded ${workbook.data.size} bytes of XLSX`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
