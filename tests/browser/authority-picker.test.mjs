// Journey 7, the authority picker: by keyboard with JavaScript (the combobox),
// and without JavaScript (the server-side search and its radio buttons).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { JOURNEY, ROOT, checkPage, openSite } from './harness.mjs';
import {
  GROUP_1,
  aPerson,
  assertHeading,
  chooseGroup,
  followManageLink,
  openHomePage,
  readConfirmationEmail,
  registrationCard,
  sendSignUp,
} from './actions.mjs';

let site;
before(async () => {
  site = await openSite({
    env: { INSCRIPTIONS__REFERENTIEL__DATA_DIR: join(ROOT, 'node_modules/@etalab/decoupage-administratif/data') },
  });
});
after(async () => {
  await site?.close();
});

/// The person's own fields, without the authority (the picker gives it).
async function fillPerson(page, person) {
  await page.getByLabel('Prénom', { exact: true }).fill(person.firstName);
  await page.getByLabel('Nom', { exact: true }).fill(person.lastName);
  await page.getByLabel(/^Adresse électronique/).fill(person.email);
  await page.locator('label', { hasText: /^Agent$/ }).click();
  await page.getByLabel('Fonction').fill('DGS');
}

test('7a. with JavaScript, the combobox by keyboard', JOURNEY, async () => {
  const page = await site.newPage();
  const person = aPerson();
  await openHomePage(page);
  await chooseGroup(page, GROUP_1);
  await fillPerson(page, person);
  const search = page.getByRole('combobox', { name: /Rechercher votre collectivité/ });
  await search.focus();
  await page.keyboard.type('l hay les', { delay: 20 });
  const option = page.getByRole('option', { name: /L'Haÿ-les-Roses — commune, Val-de-Marne \(94\)/ });
  await option.waitFor();
  assert.equal(await search.getAttribute('aria-expanded'), 'true');
  await checkPage(page, 'collectivite-combobox');
  await page.keyboard.press('ArrowDown');
  assert.ok(await search.getAttribute('aria-activedescendant'), 'the highlighted option is announced');
  await page.keyboard.press('Enter');
  assert.equal(await search.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.getByLabel(/^Nom de la collectivité/).inputValue(), "L'Haÿ-les-Roses");
  assert.equal(await page.getByLabel(/^Code officiel/).inputValue(), '94038');
  await page.getByRole('status').filter({ hasText: 'Collectivité choisie' }).waitFor({ state: 'attached' });
  await sendSignUp(page);
  await assertHeading(page, 'Vérifiez votre messagerie');
  const email = await readConfirmationEmail(site, person);
  await followManageLink(page, site, email);
  await registrationCard(page, GROUP_1).getByText("L'Haÿ-les-Roses (Commune, 94038)").waitFor();
});

test('7b. without JavaScript, search on the server and pick a radio button', JOURNEY, async () => {
  const page = await site.newPage({ javaScript: false });
  const person = aPerson();
  await page.goto('/groupes/agenda-transformation-numerique/inscription');
  await fillPerson(page, person);
  await page.getByLabel(/Rechercher votre collectivité/).fill('saint etienne');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForLoadState('load');
  const choice = page.getByRole('radio', { name: 'Saint-Étienne — commune, Loire (42)' });
  await choice.waitFor({ state: 'attached' });
  assert.equal(await page.getByLabel('Prénom', { exact: true }).inputValue(), person.firstName, 'input kept');
  await checkPage(page, 'collectivite-recherche-sans-js');
  await page.locator('label', { hasText: 'Saint-Étienne — commune, Loire (42)' }).click();
  await sendSignUp(page);
  await assertHeading(page, 'Vérifiez votre messagerie');
  const email = await readConfirmationEmail(site, person);
  await followManageLink(page, site, email);
  await registrationCard(page, GROUP_1).getByText('Saint-Étienne (Commune, 42218)').waitFor();
});
