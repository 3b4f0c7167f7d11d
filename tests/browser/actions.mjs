// What a person does on the site, as functions named after their actions, so a
// journey reads as its story. Elements are found as a person finds them: by their
// role and visible name, or by a field's label, never by CSS class.
//
// The form's collectivité fields are filled in one place (`fillSignUpForm`), so
// the authority picker can replace them there.

import assert from 'node:assert/strict';
import { waitFor } from './harness.mjs';

let people = 0;

/// Someone who signs up; each call gives a new email address.
export function aPerson(overrides = {}) {
  people += 1;
  return {
    firstName: 'Élodie',
    lastName: 'N’Diaye',
    email: `elodie.ndiaye.${people}@saint-etienne.fr`,
    phone: '',
    role: 'Élu·e',
    function: 'Maire',
    authorityKind: 'Commune',
    authorityName: 'Saint-Étienne',
    authorityCode: '42218',
    ...overrides,
  };
}

export const GROUP_1 = 'Groupe projet 1 : Agenda de transformation numérique des collectivités';

export async function openHomePage(page) {
  await page.goto('/');
  await assertHeading(page, 'Les groupes projets');
}

/// From the home page, the sign-up button of the group whose section has `title`.
export async function chooseGroup(page, title) {
  const section = page.getByRole('region', { name: title });
  await section.getByRole('link', { name: /S’inscrire pour participer/ }).click();
  await assertHeading(page, `S’inscrire : ${title}`);
}

export async function fillSignUpForm(page, person) {
  await page.getByLabel('Prénom', { exact: true }).fill(person.firstName);
  await page.getByLabel('Nom', { exact: true }).fill(person.lastName);
  await page.getByLabel(/^Adresse électronique/).fill(person.email);
  await page.getByLabel(/^Téléphone/).fill(person.phone);
  if (person.role) await chooseRadio(page, person.role);
  await page.getByLabel('Fonction').fill(person.function);
  if (person.authorityKind) {
    await page.getByLabel('Type de collectivité ou d’organisme').selectOption({ label: person.authorityKind });
  }
  await page.getByLabel(/^Nom de la collectivité/).fill(person.authorityName);
  await page.getByLabel(/^Code officiel/).fill(person.authorityCode);
}

/// A DSFR radio button is drawn on its label: a person clicks the label.
export async function chooseRadio(page, label) {
  await page.locator('label', { hasText: new RegExp(`^${label}$`) }).click();
  assert.ok(await page.getByRole('radio', { name: label }).isChecked(), `« ${label} » est coché`);
}

export async function sendSignUp(page) {
  await page.getByRole('button', { name: 'Envoyer mon inscription' }).click();
  await page.waitForLoadState('load');
}

export async function assertHeading(page, text) {
  const heading = page.getByRole('heading', { level: 1 });
  await waitFor(async () => (await heading.textContent())?.trim() === text,
    `titre « ${text} » attendu, trouvé « ${await heading.textContent().catch(() => '')} »`);
}

/// The email the site sent to `person`, once it has arrived in the mailbox.
export async function readEmail(site, person, subject) {
  return site.maildev.waitForEmail(person.email, subject);
}

export async function readConfirmationEmail(site, person) {
  return readEmail(site, person, /^Confirmez votre inscription/);
}

/// The links of an email's text, to our site only.
export function linksIn(email, site) {
  return [...email.text.matchAll(/https?:\/\/\S+/g)]
    .map((match) => match[0])
    .filter((link) => link.startsWith(site.url));
}

/// The person opens the link of the email that leads to `path`.
export async function followEmailLink(page, site, email, path) {
  const link = linksIn(email, site).find((l) => new URL(l).pathname.startsWith(path));
  assert.ok(link, `un lien vers ${path} dans le courriel « ${email.subject} »`);
  await page.goto(link);
  return link;
}

export async function followConfirmationLink(page, site, email) {
  await followEmailLink(page, site, email, '/confirmation/');
  await assertHeading(page, 'Inscription confirmée');
}

export async function followManageLink(page, site, email) {
  await followEmailLink(page, site, email, '/mes-inscriptions/');
  await assertHeading(page, 'Mes inscriptions');
}

/// The values now in the form's fields, by label.
export async function formValues(page) {
  return {
    firstName: await page.getByLabel('Prénom', { exact: true }).inputValue(),
    lastName: await page.getByLabel('Nom', { exact: true }).inputValue(),
    email: await page.getByLabel(/^Adresse électronique/).inputValue(),
    phone: await page.getByLabel(/^Téléphone/).inputValue(),
    function: await page.getByLabel('Fonction').inputValue(),
    authorityName: await page.getByLabel(/^Nom de la collectivité/).inputValue(),
    authorityCode: await page.getByLabel(/^Code officiel/).inputValue(),
  };
}

/// Id and tag of the element that has the keyboard focus.
export async function focusedElement(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? { id: el.id, tag: el.tagName.toLowerCase(), name: el.getAttribute('name') } : null;
  });
}

// ---------------------------------------------------------------------------
// Keyboard: Tab, Shift+Tab, Enter, Space, and typing. After every move the
// focused element must show a focus indicator that can be seen.

/// Where the focus is, and whether it can be seen: the element has a solid
/// outline or an outer box-shadow, on itself or on a pseudo-element the DSFR
/// draws it on (`::before` of an enlarged link; for a radio or checkbox, whose
/// input is transparent, the box drawn before its label); it is on screen and
/// neither it nor an ancestor is hidden or transparent.
export async function focusIndicator(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { visible: false, what: 'rien (body)' };
    const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    const what = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${text ? ` « ${text} »` : ''}`;
    const drawnOnLabel = el.matches('input[type=radio], input[type=checkbox]') && el.labels?.length;
    const target = drawnOnLabel ? el.labels[0] : el;
    const transparent = (color) => color === 'transparent' || /rgba\(.*,\s*0\)$/.test(color);
    const styles = [null, '::before', '::after'].map((pseudo) => getComputedStyle(target, pseudo));
    const drawn = styles.find(
      (style) =>
        (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1 && !transparent(style.outlineColor)) ||
        (style.boxShadow !== 'none' && !style.boxShadow.includes('inset')),
    );
    const style = drawn ?? styles[0];
    const rect = target.getBoundingClientRect();
    const onScreen =
      rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 &&
      rect.top < window.innerHeight && rect.left < window.innerWidth;
    let shown = true;
    for (let node = target; node && node.nodeType === 1; node = node.parentElement) {
      const s = getComputedStyle(node);
      if (s.visibility === 'hidden' || s.display === 'none' || parseFloat(s.opacity) === 0) shown = false;
    }
    return {
      visible: Boolean(drawn) && onScreen && shown,
      what,
      id: el.id,
      href: el.getAttribute('href'),
      indicator: `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow ${style.boxShadow}; à l’écran ${onScreen}; affiché ${shown}`,
    };
  });
}

export async function assertFocusVisible(page) {
  // A skip link slides in when focused: give the page a moment to draw it.
  let last;
  try {
    return await waitFor(async () => {
      last = await focusIndicator(page);
      return last.visible && last;
    }, 'focus visible', 2000);
  } catch {
    assert.fail(`la cible du focus doit être visible : ${last?.what} (${last?.indicator})`);
  }
}

export async function pressKey(page, key) {
  await page.keyboard.press(key);
  return assertFocusVisible(page);
}

export const pressTab = (page) => pressKey(page, 'Tab');
export const pressShiftTab = (page) => pressKey(page, 'Shift+Tab');

/// Presses Tab until the focus reaches what `reached` recognises; every stop on
/// the way must show its focus.
export async function tabTo(page, description, reached) {
  const path = [];
  for (let presses = 0; presses < 80; presses += 1) {
    const focus = await pressTab(page);
    path.push(focus.what);
    if (reached(focus)) return focus;
  }
  assert.fail(`la touche Tab n’atteint pas ${description} ; parcours : ${path.join(' → ')}`);
}

export const tabToField = (page, id) => tabTo(page, `le champ #${id}`, (focus) => focus.id === id);
export const tabToLink = (page, href) => tabTo(page, `le lien ${href}`, (focus) => focus.href === href);
export const tabToButton = (page, text) =>
  tabTo(page, `le bouton « ${text} »`, (focus) => focus.what.startsWith('button') && focus.what.includes(text));

export async function typeText(page, text) {
  await page.keyboard.type(text);
}

/// Presses `key` (Enter on a link or a button) and waits for the page it opens.
export async function pressToOpen(page, key = 'Enter') {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
}

// ---------------------------------------------------------------------------
// Composite steps, for journeys that start after the sign-up.

/// Signs `person` up to `group` from the home page and confirms from the email;
/// returns the confirmation email (it also carries the link to their page).
export async function signUpAndConfirm(page, site, person, group = GROUP_1) {
  await openHomePage(page);
  await chooseGroup(page, group);
  await fillSignUpForm(page, person);
  await sendSignUp(page);
  await assertHeading(page, 'Vérifiez votre messagerie');
  const email = await readConfirmationEmail(site, person);
  await followConfirmationLink(page, site, email);
  return email;
}

/// The card of one registration on « Mes inscriptions ».
export function registrationCard(page, group) {
  return page.locator('section').filter({ has: page.getByRole('heading', { name: group }) });
}

export async function clickLink(page, name) {
  await page.getByRole('link', { name, exact: typeof name === 'string' }).click();
  await page.waitForLoadState('load');
}

export async function clickButton(page, name) {
  await page.getByRole('button', { name }).click();
  await page.waitForLoadState('load');
}
