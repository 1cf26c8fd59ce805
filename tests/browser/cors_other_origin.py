"""A frontend on another origin, in a real (headless) Chromium: a page served from
http://localhost:PAGE_PORT calls the API at BASE_URL (another origin) with fetch: signs in, lists
cooperatives, creates one with an Idempotency-Key and reads the ETag and Location of the answer,
then revalidates it with If-None-Match (304). The browser enforces CORS, so every step proves it.

Usage: python cors_other_origin.py BASE_URL USERNAME PAGE_PORT   (password from
KLINIK_BROWSER_PASSWORD). The API must list http://localhost:PAGE_PORT in KLINIK_CORS_ORIGINS.
Exits non-zero on any failure.
"""

import http.server
import json
import os
import sys
import threading

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("KLINIK_CHROMIUM", "/usr/bin/chromium")

PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Frontend</title></head>
<body><p>A frontend on another origin.</p></body></html>"""

# Runs in the page: every request is a cross-origin fetch under the browser's CORS rules.
FLOW = """async ([api, username, password]) => {
  const out = {};
  const login = await fetch(api + '/api/v1/auth/login', {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username, password})});
  out.login = login.status;
  const token = (await login.json()).access_token;
  const auth = {'Authorization': 'Bearer ' + token};
  const list = await fetch(api + '/api/v1/cooperatives?page_size=5', {headers: auth});
  out.list = list.status;
  out.request_id = list.headers.get('X-Request-Id');
  const created = await fetch(api + '/api/v1/cooperatives', {method: 'POST',
    headers: {...auth, 'Content-Type': 'application/json', 'Idempotency-Key': 'cors-' + Date.now()},
    body: JSON.stringify({name: 'Koperasi Dari Peramban', form: 'primer', type: 'jasa',
                          kelurahan_code: '32.71.01.1001'})});
  out.create = created.status;
  out.etag = created.headers.get('ETag');
  out.location = created.headers.get('Location');
  const again = await fetch(api + out.location, {headers: {...auth, 'If-None-Match': out.etag}});
  out.revalidate = again.status;
  return out;
}"""


REFUSED = """async (api) => {
  try { await fetch(api + '/health/live'); return 'answered'; } catch (e) { return 'refused'; }
}"""


def main() -> int:
    base_url, username, page_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    password = os.environ["KLINIK_BROWSER_PASSWORD"]

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", page_port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        page = browser.new_page()
        try:
            page.goto(f"http://localhost:{page_port}/", wait_until="load")
            out = page.evaluate(FLOW, [base_url, username, password])
            print(json.dumps(out))
            assert out["login"] == 200, out
            assert out["list"] == 200 and out["request_id"], out
            assert out["create"] == 201 and out["etag"] and out["location"], out
            assert out["revalidate"] == 304, out
            # The same page from an origin the API does not list: the browser refuses the answer.
            page.goto(f"http://127.0.0.1:{page_port}/", wait_until="load")
            refused = page.evaluate(REFUSED, base_url)
            assert refused == "refused", refused
            print("a page on another origin signed in, listed, created, read the ETag and revalidated; "
                  "an unlisted origin was refused")
            return 0
        except Exception as error:  # noqa: BLE001 - report any failure and exit non-zero
            print(f"FAIL: {error}", file=sys.stderr)
            return 1
        finally:
            browser.close()
            server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
