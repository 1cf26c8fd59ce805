"""A person's path through Swagger UI in a real (headless) Chromium: open the page, sign in with the
login operation, authorize with the token, call a protected operation and see a 200 with its
duration; reload the page and call it again without authorizing (the token persists); and no
request ever leaves the server's origin (no outside validator).

Usage: python swagger_sign_in.py BASE_URL USERNAME PASSWORD   (password also read from
KLINIK_BROWSER_PASSWORD when the argument is "-"). Exits non-zero on any failure, with a screenshot.
"""

import json
import os
import sys

from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("KLINIK_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    base_url, username, password = sys.argv[1], sys.argv[2], sys.argv[3]
    if password == "-":
        password = os.environ["KLINIK_BROWSER_PASSWORD"]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        page = browser.new_page()
        origin = base_url.rstrip("/")
        elsewhere = []
        page.on("request", lambda r: None if r.url.startswith(origin) or r.url.startswith("data:") else elsewhere.append(r.url))
        try:
            page.goto(f"{base_url}/swagger-ui/", wait_until="networkidle")
            expect(page.locator(".information-container .title")).to_contain_text("Klinik KUMKM API", timeout=15000)

            login = page.locator("#operations-auth-login")
            login.locator(".opblock-summary").click()
            login.locator(".try-out__btn").click()
            login.locator("textarea.body-param__text").fill(json.dumps({"username": username, "password": password}))
            login.locator(".execute").click()
            status = login.locator(".live-responses-table .response .response-col_status").first
            expect(status).to_have_text("200", timeout=15000)
            body = login.locator(".live-responses-table .response-col_description pre.microlight").first.inner_text()
            token = json.loads(body)["access_token"]

            page.locator(".auth-wrapper .authorize").click()
            dialog = page.locator(".dialog-ux .modal-ux")
            # The first scheme is `bearer` (people); the second, `oauth2`, is for integration clients.
            bearer = dialog.locator(".auth-container").first
            bearer.locator("input").first.fill(token)
            bearer.locator(".auth-btn-wrapper .authorize").click()
            bearer.locator(".auth-btn-wrapper .btn-done").click()

            me = page.locator("#operations-auth-get_me")
            me.locator(".opblock-summary").click()
            me.locator(".try-out__btn").click()
            me.locator(".execute").click()
            expect(me.locator(".live-responses-table .response .response-col_status").first).to_have_text("200", timeout=15000)
            me_body = me.locator(".live-responses-table .response-col_description pre.microlight").first.inner_text()
            assert json.loads(me_body)["name"] == username, me_body

            cooperatives = page.locator("#operations-cooperatives-list_cooperatives")
            cooperatives.locator(".opblock-summary").click()
            cooperatives.locator(".try-out__btn").click()
            cooperatives.locator(".execute").click()
            expect(cooperatives.locator(".live-responses-table .response .response-col_status").first).to_have_text("200", timeout=15000)
            expect(cooperatives.get_by_text("Request duration")).to_be_visible()

            # persistAuthorization: after a reload the token is still there.
            page.reload(wait_until="networkidle")
            me = page.locator("#operations-auth-get_me")
            me.locator(".opblock-summary").click()
            me.locator(".try-out__btn").click()
            me.locator(".execute").click()
            expect(me.locator(".live-responses-table .response .response-col_status").first).to_have_text("200", timeout=15000)
            assert not elsewhere, f"requests outside {origin}: {elsewhere}"
            print("browser: signed in through Swagger UI, authorized, called protected operations (200, with duration), "
                  "kept the token across a reload, and asked no other host")
            return 0
        except Exception:
            page.screenshot(path="swagger-failure.png", full_page=True)
            print("browser: failed; screenshot in swagger-failure.png", file=sys.stderr)
            raise
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
