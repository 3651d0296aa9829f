"""Every kind of public page and the main forms, in headless Chromium, in Kyrgyz, Russian and English:
- axe-core 4.9 (PyPI's selenium-axe-python) finds no WCAG 2.0 / 2.1 level A or AA violation;
- on a 390 px wide phone no page is wider than the screen (nothing scrolls sideways);
- every page names its language (`lang`), has a skip link to its main content, and shows where keyboard focus is;
- every page but the home page has a breadcrumb that starts from the home page.
Pages are found by walking the site's own links from its index pages (one page of each kind: /problems/ID,
/rounds/ID/results, …), so a new kind of page is checked without being listed here. Signed-in forms (raise a
problem, the ballot, a grant application, account settings) are checked as a resident and an applicant.
Prints each page's weight (HTML, as sent gzipped); --weights FILE writes that table into FILE (BENCHMARKS.md).
Usage: python3 Tests/browser/pages.py http://127.0.0.1:PORT [--weights BENCHMARKS.md]
"""
import gzip
import os
import re
import sys
import urllib.request
import unittest
from urllib.parse import urljoin, urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from selenium.common.exceptions import TimeoutException
from selenium_axe_python import Axe

args = sys.argv[1:]
WEIGHTS = None
if "--weights" in args:
    WEIGHTS = args[args.index("--weights") + 1]
    del args[args.index("--weights"):args.index("--weights") + 2]
BASE = args[0] if args else os.environ.get("DEMILGE_URL", "http://127.0.0.1:18090")
sys.argv = sys.argv[:1]  # before smoke is imported: it reads its own address from the arguments

sys.path.insert(0, os.path.dirname(__file__))
from smoke import make_driver  # noqa: E402

LANGUAGES = ("ky", "ru", "en")
PHONE = 390
INDEXES = ["/", "/problems", "/rounds", "/grants", "/grants/grantees", "/territories", "/organisations", "/programmes",
           "/events", "/practices", "/indicators", "/search?q=%D1%81%D1%83%D1%83", "/transparency", "/register", "/signin",
           "/password/forgot", "/problems?territory=KG-GO&category=water"]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SKIP = re.compile(r"^/(lang|signout|static|css|js|uploads|media|api|iati|feeds?|metrics|healthz|readyz)\b|\.(csv|svg|xml|json|pb|png|jpg|atom)$|/edit$")
ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|/KG-[A-Za-z0-9-]+|(?<=/organisations)/[a-z0-9-]+|(?<=/programmes)/[a-z0-9-]+")


def kind(path):
    """The kind of page an address is: ids, codes and slugs replaced, the query left out."""
    return ID.sub("/:id", urlparse(path).path)


class Pages(unittest.TestCase):
    weights = {}

    @classmethod
    def setUpClass(cls):
        cls.driver = make_driver()
        cls.driver.set_script_timeout(60)
        cls.axe = Axe(cls.driver)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        if WEIGHTS:
            write_weights(cls.weights)

    def open(self, path):
        self.driver.set_window_size(1200, 1000)
        self.driver.get(urljoin(BASE, path))

    def links(self):
        found = []
        for anchor in self.driver.find_elements(By.CSS_SELECTOR, "a[href]"):
            href = anchor.get_attribute("href") or ""
            if href.startswith(BASE):
                path = href[len(BASE):].split("#")[0] or "/"
                if not SKIP.search(urlparse(path).path):
                    found.append(path)
        return found

    def public_pages(self):
        """One address of each kind reachable from the index pages (and one more level down)."""
        chosen = {}
        for path in INDEXES:
            chosen.setdefault(kind(path) + ("?" + urlparse(path).query if urlparse(path).query else ""), path)
        frontier = list(INDEXES)
        for _ in range(2):
            following = []
            for path in frontier:
                self.open(path)
                for link in self.links():
                    if kind(link) not in chosen:
                        chosen[kind(link)] = link
                        following.append(link)
            frontier = following
        return sorted(set(chosen.values()))

    def check_page(self, path, language, problems):
        self.open(path)
        self.check_shown(f"{path} [{language}]", language, problems)

    def check_shown(self, page, language, problems):
        """Checks the page the browser shows (opened, or the answer to a form)."""
        path = urlparse(self.driver.current_url).path
        self.driver.set_window_size(1200, 1000)
        html = self.driver.find_element(By.TAG_NAME, "html")
        if html.get_attribute("lang") != language:
            problems.append(f"{page}: <html lang> is {html.get_attribute('lang')!r}")
        skip = self.driver.find_elements(By.CSS_SELECTOR, "a.skip[href='#main']")
        if not skip or not self.driver.find_elements(By.ID, "main"):
            problems.append(f"{page}: no skip link to #main")
        if urlparse(path).path != "/":
            crumbs = self.driver.find_elements(By.CSS_SELECTOR, "main nav.crumbs li")
            if len(crumbs) < 2 or crumbs[0].find_elements(By.CSS_SELECTOR, "a[href='/']") == []:
                problems.append(f"{page}: no breadcrumb from the home page")
        self.axe.inject()
        for violation in self.axe.run(options=WCAG)["violations"]:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            problems.append(f"{page}: axe {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
        self.driver.set_window_size(PHONE, 900)
        inner = self.driver.execute_script("return window.innerWidth")
        wide = self.driver.execute_script("return document.documentElement.scrollWidth")
        if wide > inner:
            culprit = self.driver.execute_script("""
                const limit = window.innerWidth; let worst = null, right = 0;
                for (const e of document.querySelectorAll('body *')) {
                  const r = e.getBoundingClientRect();
                  let clipped = false;
                  for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') clipped = true;
                  if (!clipped && r.right > limit + 1 && r.right > right && getComputedStyle(e).position !== 'fixed') { right = r.right; worst = e; }
                }
                return worst ? worst.tagName.toLowerCase() + (worst.className ? '.' + String(worst.className).split(' ').join('.') : '') + ' ' + Math.round(right) + 'px' : '';
            """)
            problems.append(f"{page}: {wide} px wide on a {inner} px phone (widest: {culprit})")

    def choose_language(self, language):
        self.driver.get(urljoin(BASE, f"/lang/{language}?back=/"))

    def weigh(self, path, language):
        request = urllib.request.Request(urljoin(BASE, path), headers={"Accept-Encoding": "gzip", "Accept-Language": language})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            sent = len(body)
            if response.headers.get("Content-Encoding") != "gzip":
                sent = len(gzip.compress(body))
        self.weights[kind(path)] = max(self.weights.get(kind(path), 0), sent)

    def test_public_pages(self):
        self.driver.delete_all_cookies()
        pages = self.public_pages()
        self.assertGreater(len(pages), 25, f"the walk found the site's pages: {pages}")
        print(f"{len(pages)} kinds of page: {' '.join(pages)}", file=sys.stderr)
        problems = []
        for language in LANGUAGES:
            self.choose_language(language)
            for path in pages:
                self.check_page(path, language, problems)
                if language == "ky":
                    self.weigh(path, language)
        heavy = [f"{page}: {size:,} bytes gzipped" for page, size in self.weights.items() if size > 30_000]
        self.assertEqual(problems + heavy, [], "\n" + "\n".join(problems + heavy))

    def sign_in(self, address):
        self.driver.delete_all_cookies()
        self.open("/signin")
        self.driver.find_element(By.ID, "email").send_keys(address)
        self.driver.find_element(By.ID, "password").send_keys("demilge-demo" + Keys.ENTER)
        # Enter does not wait for the answer (hashing the password takes a while in a debug build): wait for it.
        try:
            WebDriverWait(self.driver, 20).until(lambda driver: "/signin" not in driver.current_url)
        except TimeoutException:
            self.fail(f"{address} is still on {self.driver.current_url}: {self.driver.find_element(By.TAG_NAME, 'main').text[:300]}")

    def test_forms_signed_in(self):
        problems = []
        self.sign_in("resident.manas-ata@demilge.kg")
        self.open("/rounds")
        rounds = [link for link in self.links() if kind(link) == "/rounds/:id"]
        forms = ["/problems/new", "/account", "/account/password", "/account/notifications", "/account/notifications/settings"] + rounds
        for language in LANGUAGES:
            self.choose_language(language)
            for path in forms:
                self.check_page(path, language, problems)
        self.sign_in("applicant.manas-ata@demilge.kg")
        self.open("/grants")
        calls = [link for link in self.links() if kind(link) == "/grants/:id"]
        for language in LANGUAGES:
            self.choose_language(language)
            for call in calls:
                self.open(call)
                for link in self.links():
                    if link.endswith("/apply"):
                        self.check_page(link, language, problems)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_rule_comparison(self):
        """A manager's rule page, and its answer with every rule compared on a past round and an uploaded file."""
        problems = []
        self.sign_in("staff.osh@demilge.kg")
        self.open("/rounds")
        rounds = sorted({link for link in self.links() if kind(link) == "/rounds/:id"})
        self.assertGreater(len(rounds), 1)
        election = os.path.join(os.path.dirname(__file__), "..", "DemilgeCoreTests", "Fixtures", "pabutools-edges", "random-07.pb")
        for language in LANGUAGES:
            self.choose_language(language)
            for round_path in rounds:
                self.check_page(round_path + "/rule", language, problems)
            self.open(rounds[0] + "/rule")
            boxes = self.driver.find_elements(By.CSS_SELECTOR, "input[name='past[]']")
            if boxes and not any(box.is_selected() for box in boxes):
                boxes[0].click()
            self.driver.find_element(By.ID, "file").send_keys(os.path.abspath(election))
            self.driver.find_element(By.CSS_SELECTOR, "form[action$='/rule/compare'] button[type=submit]").click()
            WebDriverWait(self.driver, 60).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "table.rules"))
            tables = self.driver.find_elements(By.CSS_SELECTOR, "table.rules")
            if len(tables) != (2 if boxes else 1):
                problems.append(f"{rounds[0]}/rule/compare [{language}]: {len(tables)} comparison tables")
            self.check_shown(f"{rounds[0]}/rule/compare [{language}]", language, problems)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_keyboard_focus_is_visible(self):
        """Tabbing from the top reaches the skip link first, and every focused control is drawn with an outline."""
        self.open("/problems")
        body = self.driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        self.assertIn("skip", self.driver.switch_to.active_element.get_attribute("class") or "", "the first Tab lands on the skip link")
        unseen = []
        for _ in range(25):
            element = self.driver.switch_to.active_element
            outline = self.driver.execute_script(
                "const s = getComputedStyle(arguments[0]); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none'",
                element)
            if not outline:
                unseen.append(element.tag_name + " " + (element.text or element.get_attribute("name") or "")[:30])
            element.send_keys(Keys.TAB)
        self.assertEqual(unseen, [], "focused controls without a visible focus style")

    def test_print_sheets(self):
        """A round's paper ballot and poster print on A4 in the reader's language: one page each for the demo rounds,
        no header, menu, breadcrumb or form on paper, nothing wider than the printable width."""
        import base64
        self.driver.delete_all_cookies()
        self.open("/rounds")
        rounds = sorted({link for link in self.links() if kind(link) == "/rounds/:id"})
        self.assertGreater(len(rounds), 0)
        titles = {"ky": "Добуш берүү бюллетени", "ru": "Бюллетень для голосования", "en": "Ballot paper"}
        problems = []
        for language in LANGUAGES:
            self.choose_language(language)
            for path in [round + sheet for round in rounds for sheet in ("/ballot", "/poster")]:
                self.open(path)
                if path.endswith("/ballot") and self.driver.find_element(By.TAG_NAME, "h1").text != titles[language]:
                    problems.append(f"{path} [{language}]: the ballot's heading is {self.driver.find_element(By.TAG_NAME, 'h1').text!r}")
                self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
                self.driver.set_window_size(700, 1000)  # A4 less 14 mm margins is 182 mm, 688 CSS px
                shown = self.driver.execute_script(
                    "return [...document.querySelectorAll('header.site, footer.site, nav.crumbs, form, .no-print')]"
                    ".filter(e => getComputedStyle(e).display !== 'none').map(e => e.tagName + '.' + e.className)")
                wide = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
                self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
                if shown:
                    problems.append(f"{path} [{language}]: printed with {shown}")
                if wide > 0:
                    problems.append(f"{path} [{language}]: {wide} px wider than A4")
                pdf = base64.b64decode(self.driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True})["data"])
                pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
                if pages != 1:
                    problems.append(f"{path} [{language}]: {pages} A4 pages")
        self.assertEqual(problems, [], "\n" + "\n".join(problems))


def write_weights(weights):
    """Replaces the page-weight section of BENCHMARKS.md."""
    rows = "\n".join(f"| `{page}` | {size / 1024:.1f} |" for page, size in sorted(weights.items()))
    section = ("<!-- page-weights:start -->\n\n## Page weights (`Tests/browser/pages.py --weights BENCHMARKS.md`)\n\n"
               "Each kind of public page of the demo data in Kyrgyz, HTML as sent gzipped (before photos and the shared CSS); "
               "the target (issue 15) is at most 30 KB.\n\n| page | KB gzipped |\n| --- | ---: |\n" + rows + "\n\n<!-- page-weights:end -->")
    text = ""
    if os.path.exists(WEIGHTS):
        with open(WEIGHTS, encoding="utf-8") as file:
            text = file.read()
    if "<!-- page-weights:start -->" in text:
        text = re.sub(r"<!-- page-weights:start -->.*<!-- page-weights:end -->", lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    with open(WEIGHTS, "w", encoding="utf-8") as file:
        file.write(text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
