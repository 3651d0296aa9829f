"""The first real-browser journey, in headless Chromium against a running `demilge serve`:
home page, Russian and back to Kyrgyz, down to a settlement, register, confirm the e-mail address from the message
that really left (through the sendmail stand-in, into DEMILGE_MAIL_DIR), be verified against the roll staff upload
(ПИН and birth date; no ПИН in the server's log, DEMILGE_SERVER_LOG),
raise and support a problem, read a needs assessment's priorities, vote in a participatory-budgeting
round (the knapsack meter updates as boxes are ticked) and read another round's explained results,
sign out, sign in, sign out. A second journey: a municipality applies to an open small-grant call
(co-financing below the share is refused and the form keeps what was typed), then reads a closed
grant's money and monitoring in public, and searches with Kyrgyz endings.
Screenshots go to artifacts/. Usage: python3 Tests/browser/smoke.py http://127.0.0.1:PORT
"""
import email as mail
import glob
import os
import sys
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = sys.argv.pop(1) if len(sys.argv) > 1 else os.environ.get("DEMILGE_URL", "http://127.0.0.1:18090")
ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts")


def make_driver(javascript=True):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,1000", "--lang=ky"):
        options.add_argument(flag)
    # A Kyrgyz reader's browser: the first page comes in Kyrgyz from Accept-Language.
    prefs = {"intl.accept_languages": "ky,ru"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


class SmokeJourney(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ARTIFACTS, exist_ok=True)
        cls.driver = make_driver()
        cls.wait = WebDriverWait(cls.driver, 15)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(ARTIFACTS, f"browser-{name}.png"))

    def h1(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def lang(self):
        return self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")

    def click_link(self, text):
        """Follows the first link with this text that a reader can see, opening its section of the menu first if it is in one."""
        d = self.driver
        link = d.execute_script("""
            const links = [...document.querySelectorAll('a')].filter(a => a.textContent.trim() === arguments[0]);
            return links.find(a => a.getClientRects().length > 0) || links[0] || null""", text)
        self.assertIsNotNone(link, f"no link {text!r} on {d.current_url}")
        if not link.is_displayed():
            d.execute_script("return arguments[0].closest('details')", link).find_element(By.TAG_NAME, "summary").click()
        self.navigate(link.click)

    def submit(self, selector):
        self.navigate(lambda: self.driver.find_element(By.CSS_SELECTOR, selector).click())

    @staticmethod
    def gone(element):
        """True once the element belongs to a page that was replaced. Chromium 156 reports a detached node as an
        inspector error instead of a stale element; both mean the page is gone."""
        try:
            element.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True

    def mail_link(self, address, marker):
        """The link containing `marker` in the newest message delivered to `address` (waits for the outbox)."""
        folder = os.environ["DEMILGE_MAIL_DIR"]
        deadline = time.time() + 30
        while time.time() < deadline:
            for path in sorted(glob.glob(os.path.join(folder, "*.eml")), reverse=True):
                with open(path, "rb") as handle:
                    message = mail.message_from_bytes(handle.read())
                if message["To"] != address:
                    continue
                body = message.get_payload(decode=True).decode("utf-8")
                for line in body.splitlines():
                    if marker in line:
                        return line.strip()
            time.sleep(0.3)
        self.fail(f"no message with {marker} reached {address}")

    def switch_user(self, address, password):
        self.driver.delete_all_cookies()
        self.driver.get(BASE + "/signin")
        self.driver.find_element(By.ID, "email").send_keys(address)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.submit("form.stacked button[type=submit]")
        self.wait.until(lambda driver: "/signin" not in driver.current_url)

    def navigate(self, action):
        """Acts, then waits for the next page to be replaced and loaded: reading the old one would race the browser."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        action()
        self.wait.until(lambda driver: self.gone(old))
        self.wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    def test_grant_application(self):
        d = self.driver
        d.get(BASE + "/signin")
        d.find_element(By.ID, "email").send_keys("applicant.manas-ata@demilge.kg")
        d.find_element(By.ID, "password").send_keys("demilge-demo")
        self.submit("form.stacked button[type=submit]")
        self.click_link("Гранттар")
        self.assertEqual(self.h1(), "Чакан гранттар")
        self.click_link("Аракет: чакан гранттар 2027")
        self.click_link("Долбоордук өтүнмө берүү")
        Select(d.find_element(By.ID, "organisation")).select_by_value("mta-manas-ata")
        d.find_element(By.ID, "title").send_keys("Мектепке чейинки борбор")
        d.find_element(By.ID, "summary").send_keys("Конуштагы 40 бала үчүн кыска мөөнөттүү топ.")
        d.find_element(By.ID, "activities").send_keys("Оңдоо | 2027-03 | 2027-05")
        d.find_element(By.ID, "lines").send_keys("Оңдоо | грант | 500 000\nЭмерек | жергиликтүү бюджет | 50 000")
        d.find_element(By.ID, "requested").send_keys("500 000")
        d.find_element(By.ID, "total").send_keys("550 000")
        d.find_element(By.NAME, "female_u18").send_keys("20")
        d.find_element(By.NAME, "male_u18").send_keys("20")
        self.submit("button[value=submit]")
        alert = d.find_element(By.CSS_SELECTOR, "div.form-error").text
        self.assertIn("Кошумча каржылоо жалпы наркынын 9,1 % гана", alert.replace("\u00a0", " "))
        self.assertEqual(d.find_element(By.ID, "total").get_attribute("value"), "550 000", "typed input is kept")
        self.shot("grant-refused")
        lines = d.find_element(By.ID, "lines")
        lines.clear()
        lines.send_keys("Оңдоо | грант | 500 000\nЭмерек | Жергиликтүү бюджет | 60 000\nЭмгек | жамааттын салымы | 40 000")
        total = d.find_element(By.ID, "total")
        total.clear()
        total.send_keys("600 000")
        self.submit("button[value=submit]")
        self.assertEqual(self.h1(), "Мектепке чейинки борбор")
        self.assertIn("Жөнөтүлдү", d.find_element(By.CSS_SELECTOR, "main .status").text)
        self.assertIn("Долбоордук сунуш", d.find_element(By.CSS_SELECTOR, "ol.stages li.current").text)
        self.shot("grant-submitted")

        self.click_link("Гранттар")
        self.click_link("Грант алуучулар облустар боюнча")
        self.click_link("Манас-Атага ичүүчү суу түтүгүн 1,2 км тартуу")
        money = d.find_element(By.CSS_SELECTOR, "#money table").text.replace("\u00a0", " ")
        self.assertIn("1 448 500 сом", money)
        self.assertIn("Нурбек Осмонов", d.find_element(By.ID, "visits").text)
        self.shot("grant-closed")

        # Search understands Kyrgyz endings and, on request, Russian-keyboard spellings.
        self.click_link("Издөө")
        d.find_element(By.ID, "q").send_keys("кочолорубуздо суусу")
        d.find_element(By.NAME, "fold").click()
        self.submit("form.search-form button[type=submit]")
        marks = [m.text.lower() for m in d.find_elements(By.CSS_SELECTOR, "ol.search-results mark")]
        self.assertIn("суу", marks)
        self.shot("search")
        self.submit("form[action='/signout'] button")
        self.wait.until(ec.presence_of_element_located((By.LINK_TEXT, "Кирүү")))

    def test_journey(self):
        d = self.driver
        d.get(BASE + "/")
        self.assertEqual(self.lang(), "ky")
        self.assertEqual(self.h1(), "Демилге — жергиликтүү демилгелер ачык")
        self.shot("home-ky")

        self.click_link("Русский")
        self.assertEqual(self.lang(), "ru")
        self.assertEqual(self.h1(), "Демилге — открытая платформа местных инициатив")
        self.click_link("Территории")
        self.assertEqual(self.h1(), "Территории")
        self.assertEqual(self.lang(), "ru", "the choice sticks across pages")
        self.click_link("Кыргызча")
        self.assertEqual(self.lang(), "ky")
        self.assertEqual(self.h1(), "Аймактар")

        self.click_link("Ош шаары")
        self.assertEqual(self.h1(), "Ош шаары")
        self.click_link("Манас-Ата")
        self.assertEqual(self.h1(), "Манас-Ата")
        self.assertIn("Ош шаары", d.find_element(By.CSS_SELECTOR, "nav.crumbs").text)
        self.shot("settlement")

        self.click_link("Катталуу")
        email = f"browser-{int(time.time())}@example.kg"
        d.find_element(By.ID, "name").send_keys("Айпери Браузерова")
        d.find_element(By.ID, "email").send_keys(email)
        d.find_element(By.ID, "password").send_keys("short")
        d.find_element(By.ID, "password_confirm").send_keys("short")
        Select(d.find_element(By.ID, "territory")).select_by_value("KG-GO-manas-ata")
        self.submit("form.stacked button[type=submit]")
        self.assertIn("Сырсөз кеминде 10 белгиден турушу керек.", d.page_source)
        self.assertEqual(d.find_element(By.ID, "email").get_attribute("value"), email, "typed input is kept")
        self.shot("register-error")
        d.find_element(By.ID, "password").send_keys("тоолор-арасы-2025")
        d.find_element(By.ID, "password_confirm").send_keys("тоолор-арасы-2025")
        self.submit("form.stacked button[type=submit]")
        self.wait.until(ec.url_contains("/account"))
        self.assertEqual(self.h1(), "Менин аккаунтум")
        self.assertIn("тургун — Манас-Ата", d.find_element(By.TAG_NAME, "main").text)
        self.assertIn("Электрондук дарегиңиз али ырастала элек", d.page_source)
        self.shot("account")

        # The address is confirmed from the message that really left: opening the link shows a button.
        d.get(self.mail_link(email, "/account/confirm/"))
        self.assertEqual(self.h1(), "Электрондук даректи ырастоо")
        self.submit("form.stacked button[type=submit]")
        self.assertIn("Электрондук дарегиңиз ырасталды.", d.page_source)
        self.assertNotIn("али ырастала элек", d.page_source)

        # Raise a problem in Манас-Ата and support it; it shows on the settlement's list.
        self.click_link("Көйгөйлөр")
        self.click_link("Көйгөй көтөрүү")
        d.find_element(By.ID, "title").send_keys("Аялдама жок, балдар жолдо күтүшөт")
        d.find_element(By.ID, "description").send_keys("Мектеп автобусу токтогон жерде аялдама жок.")
        Select(d.find_element(By.ID, "category")).select_by_value("transport")
        Select(d.find_element(By.ID, "territory")).select_by_value("KG-GO-manas-ata")
        self.submit("form.stacked button[type=submit]")
        self.assertEqual(self.h1(), "Аялдама жок, балдар жолдо күтүшөт")
        self.submit("form[action$='/support'] button")
        self.assertIn("Колдооңуз кабыл алынды.", d.page_source)
        self.assertIn("Колдогондор: 1", d.find_element(By.CSS_SELECTOR, "section.support").text)
        self.shot("problem")
        d.get(BASE + "/problems?territory=KG-GO-manas-ata")
        self.assertIn("Аялдама жок, балдар жолдо күтүшөт", d.find_element(By.TAG_NAME, "main").text)

        # The needs assessment's priority list, each group side by side.
        self.click_link("Муктаждыктар")
        self.navigate(lambda: d.find_elements(By.CSS_SELECTOR, "main table a")[0].click())
        self.assertIn("Жамааттын артыкчылыктуу көйгөйлөрү", d.page_source)
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "table.priorities thead th")), 3 + 5)
        self.shot("priorities")

        # Staff of Ош шаары upload the resident roll with her on it; she verifies with ПИН and birth date.
        pin = "115061992" + f"{int(time.time()) % 100000:05d}"
        self.switch_user("staff.osh@demilge.kg", "demilge-demo")
        d.get(BASE + "/territories/KG-GO/roll")
        roll = os.path.join(tempfile.mkdtemp(), "roll.csv")
        with open(roll, "w", encoding="utf-8") as handle:
            handle.write(f"pin,settlement,name\n{pin},KG-GO-manas-ata,Айпери Браузерова\n")
        d.find_element(By.ID, "roll").send_keys(roll)
        self.submit("form[enctype='multipart/form-data'] button[type=submit]")
        self.assertIn("Тизме жаңыртылды: 1 адам", d.page_source)
        self.shot("roll")
        self.switch_user(email, "тоолор-арасы-2025")
        d.get(BASE + "/account/verify")
        d.find_element(By.ID, "pin").send_keys(pin)
        d.find_element(By.ID, "birth_date").send_keys("16.06.1992")
        self.submit("form.stacked button[type=submit]")
        self.assertIn("эч бир тизмеде жок", d.page_source)
        self.assertEqual(d.find_element(By.ID, "pin").get_attribute("value"), "", "the ПИН is not kept in the form")
        self.assertEqual(d.find_element(By.ID, "birth_date").get_attribute("value"), "16.06.1992", "the birth date is kept")
        d.find_element(By.ID, "pin").send_keys(pin)
        birth = d.find_element(By.ID, "birth_date")
        birth.clear()
        birth.send_keys("15.06.1992")
        self.submit("form.stacked button[type=submit]")
        self.assertIn("Сиз тургун катары тастыкталдыңыз.", d.page_source)
        self.shot("verified")

        # Participatory budgeting: the open knapsack round; the money left follows the ticks (JavaScript).
        self.click_link("Бюджетке катышуу")
        self.click_link("Манас-Ата: жаштар жана балдар үчүн 2027")
        left = lambda: d.find_element(By.ID, "remaining").text.replace("\u00a0", " ")
        self.assertEqual(left(), "900 000 сом")
        boxes = d.find_elements(By.CSS_SELECTOR, "form.ballot input[type=checkbox]")
        self.assertEqual(len(boxes), 3)
        boxes[1].click()
        self.assertEqual(left(), "450 000 сом")
        boxes[2].click()
        boxes[0].click()
        self.assertEqual(left(), "30 000 сом")
        self.shot("ballot")
        self.submit("form.ballot button[type=submit]")
        self.wait.until(lambda driver: "Бюллетениңиз кабыл алынды." in driver.page_source)
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "form.ballot input[type=checkbox]:checked")), 3, "the stored ballot is shown")
        round_url = d.current_url.split("?")[0].split("#")[0]
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "form.follow button[aria-pressed=true]")), 1, "voting follows the round")

        # Staff close the round and publish its results; she hears of them in her inbox and by e-mail.
        self.switch_user("staff.osh@demilge.kg", "demilge-demo")
        for _ in ("counting", "published"):
            d.get(round_url)
            self.submit("form[action$='/status'] button[type=submit]")
        self.switch_user(email, "тоолор-арасы-2025")
        inbox = d.find_element(By.CSS_SELECTOR, "a[href='/account/notifications']")
        self.assertIn("жаңы", inbox.text, "the header counts unread notifications")
        self.navigate(inbox.click)
        self.assertEqual(self.h1(), "Кабарлар")
        news = d.find_element(By.CSS_SELECTOR, "ul.inbox li.unread a")
        self.assertIn("добуш берүүнүн жыйынтыктары жарыяланды", news.text)
        self.shot("inbox")
        link = self.mail_link(email, "/results")
        self.assertTrue(link.endswith(round_url.split(BASE, 1)[-1] + "/results"), link)
        self.navigate(news.click)
        self.assertIn("/results", d.current_url)
        self.assertIn("Жыйынтыктар", self.h1())

        # The published round's results, explained project by project.
        self.click_link("Бюджетке катышуу")
        self.click_link("Манас-Ата: эл тандаган долбоорлор 2026")
        self.click_link("Жыйынтыктар")
        table = d.find_element(By.CSS_SELECTOR, "table.results").text
        self.assertIn("Аялдар үчүн спорт зал", table)
        self.assertIn("тургун колдоду", table)
        self.shot("results")

        self.submit("form[action='/signout'] button")
        self.wait.until(ec.presence_of_element_located((By.LINK_TEXT, "Кирүү")))
        self.click_link("Кирүү")
        d.find_element(By.ID, "email").send_keys(email)
        d.find_element(By.ID, "password").send_keys("тоолор-арасы-2025")
        self.submit("form.stacked button[type=submit]")
        self.wait.until(ec.presence_of_element_located((By.LINK_TEXT, "Айпери Браузерова")))
        self.submit("form[action='/signout'] button")
        self.wait.until(ec.presence_of_element_located((By.LINK_TEXT, "Кирүү")))
        self.shot("signed-out")
        log = os.environ.get("DEMILGE_SERVER_LOG")
        if log:
            with open(log, encoding="utf-8", errors="replace") as handle:
                self.assertNotIn(pin, handle.read(), "no ПИН in the server's log")


if __name__ == "__main__":
    unittest.main(verbosity=2)
