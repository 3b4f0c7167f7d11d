// Journey 6, the staff: the first admin signs in through the emailed link, makes
// group 1 require approval, opens its list, downloads the export, approves a
// registration (whose owner gets the decision by email), and visits every staff
// page, each audited.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { JOURNEY, checkPage, openSite } from './harness.mjs';
import { GROUP_1, aPerson, assertHeading, clickButton, clickLink, readEmail, signUpAndConfirm } from './actions.mjs';

// The address the application makes its first admin on a fresh database.
const ADMIN = { email: 'admin@localhost.localdomain' };

let site;
before(async () => {
  site = await openSite();
});
after(async () => {
  await site?.close();
});

async function signIn(page) {
  await page.goto('/connexion');
  await assertHeading(page, 'Connexion de l’équipe');
  await checkPage(page, 'equipe-connexion');
  await page.getByLabel('Adresse électronique').fill(ADMIN.email);
  await clickButton(page, 'Recevoir un lien de connexion');
  await assertHeading(page, 'Vérifiez votre messagerie');
  const email = await readEmail(site, ADMIN, /lien de connexion/);
  const link = [...email.text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]).find((l) => l.includes('/connexion/'));
  assert.ok(link, 'a sign-in link in the email');
  await page.goto(link);
  await assertHeading(page, 'Se connecter');
  await checkPage(page, 'equipe-connexion-bouton');
  await clickButton(page, 'Me connecter');
  await assertHeading(page, 'Tableau de bord');
}

test('6. staff: sign in by email, require approval, list, export, approve', JOURNEY, async () => {
  const page = await site.newPage();
  await signIn(page);
  await checkPage(page, 'equipe-tableau-de-bord');

  // Group 1 now requires approval.
  await clickLink(page, 'Groupes');
  await assertHeading(page, 'Groupes');
  await checkPage(page, 'equipe-groupes');
  await clickLink(page, GROUP_1);
  await assertHeading(page, 'Modifier le groupe');
  await checkPage(page, 'equipe-groupe-modifier');
  await page.getByText('Les inscriptions demandent une validation').click();
  await clickButton(page, 'Enregistrer');
  await assertHeading(page, 'Groupes');

  // Someone signs up and confirms.
  const visitor = await site.newPage();
  const person = aPerson({ lastName: 'Moderée' });
  await signUpAndConfirm(visitor, site, person);

  // Their registration is in the group's list and in the export.
  await clickLink(page, 'Tableau de bord');
  await page.getByRole('region', { name: GROUP_1 }).getByRole('link', { name: 'Participants' }).click();
  await assertHeading(page, `Participants : ${GROUP_1}`);
  await page.getByRole('cell', { name: person.email }).waitFor();
  await checkPage(page, 'equipe-participants');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /Exporter pour Excel/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^inscrits-agenda-transformation-numerique-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path());
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM for Excel');
  assert.ok(csv.toString('utf8').includes(`${person.email}`), 'the registrant is exported');
  assert.ok(csv.toString('utf8').includes('Moderée'), 'accents intact');

  await page.getByRole('link', { name: `${person.firstName} ${person.lastName}` }).click();
  await checkPage(page, 'equipe-inscription');
  await page.goBack();
  await page.goto('/equipe');
  await page.getByRole('region', { name: GROUP_1 }).getByRole('link', { name: 'Chiffres par territoire' }).click();
  await checkPage(page, 'equipe-chiffres');

  // Approve it from the moderation queue.
  await clickLink(page, 'Modération');
  await assertHeading(page, 'Modération');
  await checkPage(page, 'equipe-moderation');
  // The DSFR draws the box on the label: a person clicks it.
  const box = page.getByRole('checkbox', { name: `Choisir ${person.firstName} ${person.lastName}` });
  await page.locator(`label[for="${await box.getAttribute('id')}"]`).click();
  assert.ok(await box.isChecked(), 'the registration is selected');
  await clickButton(page, 'Valider la sélection');
  await page.getByText('1 décision(s) enregistrée(s)').waitFor();
  const decision = await readEmail(site, person, /validée/);
  assert.match(decision.text, /est validée/);

  for (const [link, heading, name] of [
    ['Équipe', 'Équipe', 'equipe-membres'],
    ['Personnes', 'Demandes sur les données d’une personne', 'equipe-personnes'],
    ['Journal', 'Journal des actions', 'equipe-journal'],
  ]) {
    await clickLink(page, link);
    await assertHeading(page, heading);
    await checkPage(page, name);
  }
  await page.getByRole('cell', { name: 'Décision de modération' }).first().waitFor();
  await clickButton(page, 'Se déconnecter');
  await page.goto('/equipe');
  await assertHeading(page, 'Connexion de l’équipe');
});
