"""The main journeys without a mouse, and without JavaScript, in headless Chromium against a running `demilge serve`:
- by keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys, typing), with every focused control drawn with a visible
  outline: sign in, open the "take part" section of the menu and raise a problem; vote in the open round by ticking
  projects with Space; apply to an open small-grant call;
- with JavaScript switched off: the same three journeys by clicks (the menu's sections open without a script, an empty
  ballot is refused by the server).
Usage: python3 Tests/browser/keyboard.py http://127.0.0.1:PORT
"""
import os
import sys
import time
import unittest

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = sys.argv.pop(1) if len(sys.argv) > 1 else os.environ.get("DEMILGE_URL", "http://127.0.0.1:18090")
sys.path.insert(0, os.path.dirname(__file__))
from smoke import make_driver  # noqa: E402

RESIDENT = "resident.manas-ata@demilge.kg"
# One application per organisation and call: the smoke journey applies for Манас-Ата, these two for Алай 1 and Эдельвейс.
KEYBOARD_APPLICANT = ("applicant.alay@demilge.kg", "mta-alay-1")
NO_SCRIPT_APPLICANT = ("applicant.edelweiss@demilge.kg", "mta-edelweiss")
PASSWORD = "demilge-demo"
OPEN_ROUND = "Манас-Ата: жаштар жана балдар үчүн 2027"
OPEN_CALL = "Аракет: чакан гранттар 2027"
VOTE_BUTTONS = ("Добуш берүү", "Бюллетенди өзгөртүү")
BALLOT_STORED = ("Бюллетениңиз кабыл алынды.", "Бюллетениңиз өзгөртүлдү.")


def stamp():
    return time.strftime("%H%M%S")


class ByKeyboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.driver = make_driver()
        cls.wait = WebDriverWait(cls.driver, 15)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def press(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.switch_to.active_element

    def describe(self, element):
        return f"<{element.tag_name} id={element.get_attribute('id')!r}> {element.text[:40]!r}"

    def assert_focus_visible(self, element):
        drawn = self.driver.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'", element)
        self.assertTrue(drawn, f"focus is not visible on {self.describe(element)}")

    def tab_to(self, matches, what, limit=150):
        """Presses Tab until the focused element matches; every element passed on the way shows its focus."""
        for _ in range(limit):
            self.press(Keys.TAB)
            element = self.focused()
            if element.tag_name != "body":
                self.assert_focus_visible(element)
            if matches(element):
                return element
        self.fail(f"Tab never reached {what} on {self.driver.current_url}")

    def tab_to_id(self, element_id):
        return self.tab_to(lambda e: e.get_attribute("id") == element_id, f"#{element_id}")

    def tab_to_text(self, text, tag=None):
        return self.tab_to(lambda e: (tag is None or e.tag_name == tag) and e.text.strip() == text, repr(text))

    def follow(self, key=Keys.ENTER):
        """Presses a key on the focused control and waits for the next page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.press(key)
        self.wait.until(lambda driver: self.replaced(old))
        self.wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    @staticmethod
    def replaced(element):
        try:
            element.tag_name
            return element.id != element.parent.find_element(By.TAG_NAME, "html").id
        except Exception:
            return True

    def h1(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def sign_in(self, address):
        self.driver.delete_all_cookies()
        self.driver.get(BASE + "/signin")
        skip = self.tab_to(lambda e: "skip" in (e.get_attribute("class") or ""), "the skip link", limit=1)
        self.assertIn("skip", skip.get_attribute("class"), "the first Tab lands on the skip link")
        self.tab_to_id("email")
        self.press(address)
        self.tab_to_id("password")
        self.press(PASSWORD)
        self.follow(Keys.ENTER)
        self.assertNotIn("/signin", self.driver.current_url)

    def open_section(self, section, page):
        """From the top of a page: Tab to a section of the menu, open it with Enter, Tab to one of its pages and follow it."""
        self.tab_to(lambda e: e.tag_name == "summary" and e.text.strip() == section, f"the {section!r} section")
        self.press(Keys.ENTER)
        link = self.tab_to(lambda e: e.tag_name == "a" and e.text.strip() == page, f"the {page!r} link")
        self.assertTrue(link.is_displayed(), "a link of an opened section is visible")
        self.follow(Keys.ENTER)

    def test_raise_a_problem(self):
        self.sign_in(RESIDENT)
        self.open_section("Катышуу", "Көйгөйлөр")
        self.assertEqual(self.h1(), "Көйгөйлөр")
        self.tab_to_text("Көйгөй көтөрүү", "a")
        self.follow(Keys.ENTER)
        title = f"Көпүрөнүн тосмосу сынган {stamp()}"
        self.tab_to_id("title")
        self.press(title)
        self.tab_to_id("description")
        self.press("Суунун үстүндөгү көпүрөнүн тосмосу сынып калган, балдар мектепке ошол жерден өтүшөт.")
        self.tab_to_id("category")
        self.press(Keys.ARROW_DOWN)
        self.assertNotEqual(self.focused().get_attribute("value"), "", "an arrow key chooses a category")
        self.tab_to_id("territory")
        self.press(Keys.ARROW_DOWN)
        self.assertNotEqual(self.focused().get_attribute("value"), "")
        self.tab_to_text("Көйгөйдү жарыялоо", "button")
        self.follow(Keys.ENTER)
        self.assertEqual(self.h1(), title)

    def test_vote(self):
        self.sign_in(RESIDENT)
        self.open_section("Чечимдер жана каржылоо", "Бюджетке катышуу")
        self.tab_to_text(OPEN_ROUND, "a")
        self.follow(Keys.ENTER)
        boxes = self.driver.find_elements(By.CSS_SELECTOR, "form.ballot input[type=checkbox]")
        self.assertGreaterEqual(len(boxes), 2)
        for wanted in boxes[:2]:
            box = self.tab_to(lambda e: e.get_attribute("name") == wanted.get_attribute("name") and e.get_attribute("value") == wanted.get_attribute("value"),
                              "a project's box")
            before = box.is_selected()
            self.press(Keys.SPACE)
            self.assertNotEqual(box.is_selected(), before, "Space ticks or unticks the focused box")
            if not box.is_selected():
                self.press(Keys.SPACE)
        self.tab_to(lambda e: e.tag_name == "button" and e.text.strip() in VOTE_BUTTONS, "the ballot's button")
        self.follow(Keys.ENTER)
        self.assertTrue(any(message in self.driver.page_source for message in BALLOT_STORED), "the ballot is stored")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "form.ballot input[type=checkbox]:checked")), 2)

    def test_apply_for_a_grant(self):
        self.sign_in(KEYBOARD_APPLICANT[0])
        self.open_section("Чечимдер жана каржылоо", "Гранттар")
        self.tab_to_text(OPEN_CALL, "a")
        self.follow(Keys.ENTER)
        self.tab_to_text("Долбоордук өтүнмө берүү", "a")
        self.follow(Keys.ENTER)
        self.tab_to_id("organisation")
        self.press(Keys.ARROW_DOWN)
        self.assertEqual(self.focused().get_attribute("value"), KEYBOARD_APPLICANT[1])
        title = f"Китепкана үчүн жылуулук {stamp()}"
        for field, text in (("title", title), ("summary", "Айылдык китепкананы кышында жылытуу."),
                            ("activities", "Оңдоо | 2027-03 | 2027-05"),
                            ("lines", "Оңдоо | грант | 400 000" + Keys.SHIFT + Keys.ENTER + Keys.SHIFT + "Эмгек | жамааттын салымы | 100 000"),
                            ("requested", "400 000"), ("total", "500 000")):
            self.tab_to_id(field)
            self.press(text)
        self.tab_to(lambda e: e.get_attribute("name") == "female_u18", "the first beneficiary cell")
        self.press("30")
        self.tab_to(lambda e: e.tag_name == "button" and e.get_attribute("value") == "submit", "the submit button")
        self.follow(Keys.ENTER)
        self.assertEqual(self.h1(), title, self.driver.find_element(By.TAG_NAME, "main").text[:400])
        self.assertIn("Жөнөтүлдү", self.driver.find_element(By.CSS_SELECTOR, "main .status").text)


class WithoutJavaScript(unittest.TestCase):
    """Every step is a plain link or form post: nothing needs a script."""

    @classmethod
    def setUpClass(cls):
        cls.driver = make_driver(javascript=False)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def h1(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def click(self, by, what):
        """Clicks a link or button and waits for the page it leads to."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(by, what).click()
        # ByKeyboard.replaced, not ec.staleness_of: Chromium may report the old page's node with an inspector error
        # ("does not belong to the document") instead of a stale reference.
        WebDriverWait(self.driver, 15).until(lambda driver: ByKeyboard.replaced(old))
        WebDriverWait(self.driver, 15).until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    def sign_in(self, address):
        d = self.driver
        d.delete_all_cookies()
        d.get(BASE + "/signin")
        d.find_element(By.ID, "email").send_keys(address)
        d.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
        WebDriverWait(d, 15).until(lambda driver: "/signin" not in driver.current_url)

    def menu(self, section, page):
        d = self.driver
        d.find_element(By.XPATH, f"//header//summary[normalize-space()='{section}']").click()
        self.click(By.XPATH, f"//header//details[@open]//a[normalize-space()='{page}']")

    def test_scripts_are_off(self):
        self.driver.get("data:text/html,<p id=p>off</p><script>document.getElementById('p').textContent='on'</script>")
        self.assertEqual(self.driver.find_element(By.ID, "p").text, "off", "the browser runs no script")

    def test_raise_vote_and_apply(self):
        d = self.driver
        self.sign_in(RESIDENT)
        self.menu("Катышуу", "Көйгөйлөр")
        self.click(By.LINK_TEXT, "Көйгөй көтөрүү")
        title = f"Жарык жок көчө {stamp()}"
        d.find_element(By.ID, "title").send_keys(title)
        d.find_element(By.ID, "description").send_keys("Кечинде көчөдө жарык жок.")
        Select(d.find_element(By.ID, "category")).select_by_index(1)
        Select(d.find_element(By.ID, "territory")).select_by_value("KG-GO-manas-ata")
        self.click(By.CSS_SELECTOR, "form[action='/problems'] button[type=submit]")
        self.assertEqual(self.h1(), title)

        self.menu("Чечимдер жана каржылоо", "Бюджетке катышуу")
        self.click(By.LINK_TEXT, OPEN_ROUND)
        for box in d.find_elements(By.CSS_SELECTOR, "form.ballot input[type=checkbox]"):
            if box.is_selected():
                box.click()
        self.click(By.CSS_SELECTOR, "form.ballot button[type=submit]")
        self.assertIn("Эч бир долбоор тандалган жок.", d.find_element(By.CSS_SELECTOR, "div.form-error").text, "an empty ballot is refused by the server")
        d.find_elements(By.CSS_SELECTOR, "form.ballot input[type=checkbox]")[0].click()
        self.click(By.CSS_SELECTOR, "form.ballot button[type=submit]")
        self.assertTrue(any(message in d.page_source for message in BALLOT_STORED), "the ballot is stored")

        self.sign_in(NO_SCRIPT_APPLICANT[0])
        self.menu("Чечимдер жана каржылоо", "Гранттар")
        self.click(By.LINK_TEXT, OPEN_CALL)
        self.click(By.LINK_TEXT, "Долбоордук өтүнмө берүү")
        Select(d.find_element(By.ID, "organisation")).select_by_value(NO_SCRIPT_APPLICANT[1])
        title = f"Ичүүчү суу үчүн насос {stamp()}"
        d.find_element(By.ID, "title").send_keys(title)
        d.find_element(By.ID, "summary").send_keys("Айылга жаңы насос.")
        d.find_element(By.ID, "activities").send_keys("Сатып алуу | 2027-04 | 2027-05")
        d.find_element(By.ID, "lines").send_keys("Насос | грант | 300 000\nОрнотуу | жамааттын салымы | 80 000")
        d.find_element(By.ID, "requested").send_keys("300 000")
        d.find_element(By.ID, "total").send_keys("380 000")
        d.find_element(By.NAME, "male_u18").send_keys("15")
        self.click(By.CSS_SELECTOR, "button[value=submit]")
        self.assertEqual(self.h1(), title, d.find_element(By.TAG_NAME, "main").text[:400])


if __name__ == "__main__":
    unittest.main(verbosity=2)
