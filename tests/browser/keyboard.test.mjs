// Journey 3: the whole sign-up with the keyboard only (Tab, Shift+Tab, Enter,
// Space, and typing), with a mistake on the way; at every step the focused
// element shows a visible focus indicator.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOURNEY, checkPage, openSite } from './harness.mjs';
import {
  aPerson,
  assertFocusVisible,
  assertHeading,
  focusIndicator,
  followEmailLink,
  pressKey,
  pressShiftTab,
  pressToOpen,
  pressTab,
  readConfirmationEmail,
  tabTo,
  tabToButton,
  tabToField,
  tabToLink,
  typeText,
} from './actions.mjs';

let site;
before(async () => {
  site = await openSite();
});
after(async () => {
  await site?.close();
});

test('3. keyboard only: skip link, choose a group, fill in, correct a mistake, send, confirm', JOURNEY, async () => {
  const page = await site.newPage();
  const person = aPerson({ firstName: 'Karim', lastName: 'Benali', role: 'Agent', function: 'Chargé de mission' });

  await page.goto('/');
  const skipLink = await pressTab(page);
  assert.match(skipLink.what, /^a.*Contenu/, 'the first Tab reaches the skip link to the content');
  await pressKey(page, 'Enter');
  assert.equal((await focusIndicator(page)).id, 'contenu', 'the skip link moves the focus to the content');

  await tabToLink(page, '/groupes/agenda-transformation-numerique/inscription');
  await pressToOpen(page);
  await assertHeading(page, 'S’inscrire : Groupe projet 1 : Agenda de transformation numérique des collectivités');

  await tabToField(page, 'first_name');
  await typeText(page, person.firstName);
  await pressTab(page);
  await typeText(page, 'Benali-typo');
  await pressShiftTab(page);
  assert.equal((await focusIndicator(page)).id, 'first_name', 'Shift+Tab goes back one field');
  await pressTab(page);
  await page.keyboard.press('Control+A');
  await typeText(page, person.lastName);
  await tabToField(page, 'email');
  await typeText(page, person.email);

  const firstRadio = await tabTo(page, 'le premier bouton radio', (focus) => focus.id.startsWith('role-'));
  assert.equal(firstRadio.id, 'role-agent');
  await pressKey(page, ' ');
  assert.ok(await page.getByRole('radio', { name: 'Agent' }).isChecked(), 'Space chooses « Agent »');

  // Function left empty on purpose: the mistake to correct.
  await tabToField(page, 'authority_kind');
  await typeText(page, person.authorityKind);
  assert.equal(await page.locator('#authority_kind').inputValue(), 'commune', 'typing chooses the option');
  await tabToField(page, 'authority_name');
  await typeText(page, person.authorityName);
  await tabToField(page, 'authority_code');
  await typeText(page, person.authorityCode);
  await tabToField(page, 'join_space');
  await pressKey(page, ' ');
  assert.ok(await page.locator('#join_space').isChecked(), 'Space ticks the box');
  await tabToButton(page, 'Envoyer mon inscription');
  await pressToOpen(page);

  assert.equal((await assertFocusVisible(page)).id, 'resume-erreurs', 'the error summary has a visible focus');
  const errorLink = await pressTab(page);
  assert.match(errorLink.what, /fonction/i, 'Tab from the summary reaches its error');
  await pressKey(page, 'Enter');
  assert.equal((await focusIndicator(page)).id, 'function', 'Enter on the error moves to its field');
  await typeText(page, person.function);
  assert.ok(await page.locator('#join_space').isChecked(), 'the ticked box is kept');
  await tabToButton(page, 'Envoyer mon inscription');
  await pressToOpen(page);
  await assertHeading(page, 'Vérifiez votre messagerie');

  const email = await readConfirmationEmail(site, person);
  assert.match(email.text, /Espace collaboratif TNT/, 'the email names the space too');
  await followEmailLink(page, site, email, '/confirmation/');
  await assertHeading(page, 'Inscription confirmée');
  await tabTo(page, 'le bouton « Voir mes inscriptions »', (focus) => focus.what.includes('Voir mes inscriptions'));
  await pressToOpen(page);
  await assertHeading(page, 'Mes inscriptions');
  assert.equal(await page.getByText('Confirmée', { exact: true }).count(), 2, 'both registrations are confirmed');
  await checkPage(page, 'mes-inscriptions-clavier');
});
