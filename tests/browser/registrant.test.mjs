// Journey 5 and the registrant's other pages: from the link in the email, a
// registrant withdraws (after a confirmation step they can cancel), corrects
// their details, asks for their link again, and erases everything.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOURNEY, checkPage, openSite } from './harness.mjs';
import {
  GROUP_1,
  aPerson,
  assertHeading,
  clickButton,
  clickLink,
  followManageLink,
  openHomePage,
  readEmail,
  registrationCard,
  signUpAndConfirm,
} from './actions.mjs';

let site;
before(async () => {
  site = await openSite();
});
after(async () => {
  await site?.close();
});

test('5. from the email, withdraw from a group, after a confirmation step', JOURNEY, async () => {
  const page = await site.newPage();
  const person = aPerson();
  const email = await signUpAndConfirm(page, site, person);

  await followManageLink(page, site, email);
  const card = registrationCard(page, GROUP_1);
  await card.getByText('Confirmée', { exact: true }).waitFor();
  await checkPage(page, 'mes-inscriptions');

  await card.getByRole('link', { name: /^Me retirer de ce groupe/ }).click();
  await assertHeading(page, 'Me retirer de ce groupe ?');
  await checkPage(page, 'retrait-confirmation');
  await clickLink(page, 'Annuler');
  await assertHeading(page, 'Mes inscriptions');
  await card.getByText('Confirmée', { exact: true }).waitFor();

  await card.getByRole('link', { name: /^Me retirer de ce groupe/ }).click();
  await clickButton(page, 'Confirmer le retrait');
  await assertHeading(page, 'Mes inscriptions');
  await page.getByRole('status').filter({ hasText: 'Votre retrait est enregistré.' }).waitFor();
  await card.getByText('Retirée', { exact: true }).waitFor();
  assert.equal(await card.getByRole('link', { name: /^Me retirer/ }).count(), 0, 'no second withdrawal offered');
  await checkPage(page, 'retrait-enregistre');
});

test('the registrant corrects their details, then erases all their data', JOURNEY, async () => {
  const page = await site.newPage();
  const person = aPerson();
  const email = await signUpAndConfirm(page, site, person);
  await followManageLink(page, site, email);

  await registrationCard(page, GROUP_1).getByRole('link', { name: /^Modifier mes informations/ }).click();
  await assertHeading(page, 'Modifier mes informations');
  await checkPage(page, 'modifier-mes-informations');
  await page.getByLabel('Fonction').fill('');
  await clickButton(page, 'Enregistrer');
  await page.getByRole('alert').filter({ hasText: 'Le formulaire contient une erreur' }).waitFor();
  await checkPage(page, 'modifier-mes-informations-avec-erreurs');
  await page.getByLabel('Fonction').fill('Adjointe au numérique');
  await clickButton(page, 'Enregistrer');
  await page.getByRole('status').filter({ hasText: 'Vos informations sont modifiées.' }).waitFor();
  await registrationCard(page, GROUP_1).getByText('Adjointe au numérique').waitFor();

  await clickLink(page, 'Effacer toutes mes données');
  await assertHeading(page, 'Effacer toutes mes données ?');
  await checkPage(page, 'effacer-confirmation');
  await clickButton(page, 'Effacer définitivement');
  await assertHeading(page, 'Vos données sont effacées');
  await checkPage(page, 'donnees-effacees');
});

test('a registrant who lost the email asks for their link again', JOURNEY, async () => {
  const page = await site.newPage();
  const person = aPerson();
  await signUpAndConfirm(page, site, person);

  const visitor = await site.newPage();
  await openHomePage(visitor);
  await clickLink(visitor, 'Retrouver mes inscriptions');
  await assertHeading(visitor, 'Retrouver mes inscriptions');
  await checkPage(visitor, 'retrouver-mes-inscriptions');

  await visitor.getByLabel(/^Adresse électronique/).fill('pas-une-adresse');
  await clickButton(visitor, 'Recevoir un nouveau lien');
  await visitor.getByRole('alert').filter({ hasText: 'Le formulaire contient une erreur' }).waitFor();
  await checkPage(visitor, 'retrouver-mes-inscriptions-avec-erreurs');

  await visitor.getByLabel(/^Adresse électronique/).fill(person.email);
  await clickButton(visitor, 'Recevoir un nouveau lien');
  await checkPage(visitor, 'lien-envoye');
  const email = await readEmail(site, person, /^Votre lien/);
  await followManageLink(visitor, site, email);
  await registrationCard(visitor, GROUP_1).waitFor();
});
