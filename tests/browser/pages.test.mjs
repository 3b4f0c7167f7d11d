// The pages around the journeys: the legal pages, reached from the footer as a
// visitor does, with the operator's settings and the retention periods shown;
// and the « page not found » page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOURNEY, checkPage, openSite } from './harness.mjs';
import { assertHeading, clickLink, openHomePage } from './actions.mjs';

const OPERATOR = {
  INSCRIPTIONS__LEGAL__OPERATOR_ADDRESS: '20 avenue de Ségur, 75007 Paris',
  INSCRIPTIONS__LEGAL__PUBLICATION_DIRECTOR: 'Camille Martin',
  INSCRIPTIONS__LEGAL__CONTACT_EMAIL: 'contact@tnt.example.gouv.fr',
  INSCRIPTIONS__LEGAL__HOST_NAME: 'Hébergeur Exemple SAS',
  INSCRIPTIONS__LEGAL__HOST_ADDRESS: '1 rue du Serveur, 59000 Lille',
  INSCRIPTIONS__RETENTION__UNCONFIRMED_DAYS: '21',
  INSCRIPTIONS__RETENTION__WITHDRAWN_DAYS: '45',
  INSCRIPTIONS__RETENTION__CLOSED_GROUP_MONTHS: '6',
};

let site;
before(async () => {
  site = await openSite({ env: OPERATOR });
});
after(async () => {
  await site?.close();
});

async function openFromFooter(page, link) {
  await page.getByRole('contentinfo').getByRole('link', { name: link }).click();
  await page.waitForLoadState('load');
}

async function assertText(page, text) {
  await page.getByRole('main').getByText(text).first().waitFor();
}

test('the legal pages, from the footer, show the operator’s settings', JOURNEY, async () => {
  const page = await site.newPage();
  await openHomePage(page);

  await openFromFooter(page, 'Accessibilité : non conforme');
  await assertHeading(page, 'Déclaration d’accessibilité');
  for (const heading of ['État de conformité', 'Ce qui a été vérifié', 'Établissement de cette déclaration', 'Retour d’information et contact', 'Voies de recours']) {
    await page.getByRole('heading', { level: 2, name: heading }).waitFor();
  }
  await assertText(page, 'non conforme');
  await assertText(page, /axe-core 4\.14\.1/);
  await assertText(page, /Défenseur des droits, Libre réponse 71120/);
  await page.getByRole('main').getByRole('link', { name: 'contact@tnt.example.gouv.fr' }).first().waitFor();
  await checkPage(page, 'accessibilite');

  await openFromFooter(page, 'Mentions légales');
  await assertHeading(page, 'Mentions légales');
  await assertText(page, 'adresse : 20 avenue de Ségur, 75007 Paris');
  await assertText(page, 'Camille Martin');
  await assertText(page, 'hébergeur : Hébergeur Exemple SAS');
  await assertText(page, 'adresse : 1 rue du Serveur, 59000 Lille');
  await checkPage(page, 'mentions-legales');

  await openFromFooter(page, 'Données personnelles');
  await assertHeading(page, 'Données personnelles');
  for (const heading of ['Responsable du traitement', 'Finalités', 'Base légale', 'Données traitées', 'Destinataires', 'Durées de conservation', 'Vos droits', 'Cookies']) {
    await page.getByRole('heading', { level: 2, name: heading }).waitFor();
  }
  await assertText(page, 'une inscription jamais confirmée est effacée 21 jours après la demande ;');
  await assertText(page, 'une inscription retirée est effacée 45 jours après le retrait ;');
  await assertText(page, /effacées 6 mois \(de 30 jours\) après sa clôture/);
  assert.equal(await page.getByText('à renseigner par l’exploitant').count(), 1, 'only the DPO is left unset');
  const cookies = (await page.context().cookies()).map((cookie) => cookie.name);
  assert.deepEqual(cookies, ['csrf'], 'the browser holds one cookie');
  await assertText(page, /dépose un seul cookie, nommé « csrf »/);
  await checkPage(page, 'donnees-personnelles');
});

test('an unknown address shows « Page non trouvée », with a way back home', JOURNEY, async () => {
  const page = await site.newPage();
  const response = await page.goto('/groupes/inconnu/inscription');
  assert.equal(response.status(), 404);
  await assertHeading(page, 'Page non trouvée');
  await checkPage(page, 'page-non-trouvee');
  await clickLink(page, 'Page d’accueil');
  await assertHeading(page, 'Les groupes projets');
});
