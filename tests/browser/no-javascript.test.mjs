// Journey 4: a browser with JavaScript turned off signs up end to end: the
// form, its errors, the confirmation link and the registrant's page work
// without any script, and each page passes the audit as drawn without it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOURNEY, checkPage, openSite } from './harness.mjs';
import {
  aPerson,
  assertHeading,
  chooseGroup,
  fillSignUpForm,
  focusedElement,
  followConfirmationLink,
  formValues,
  openHomePage,
  readConfirmationEmail,
  sendSignUp,
} from './actions.mjs';

const GROUP_2 = 'Groupe projet 2 : Sensibilisation des élus et cadres dirigeants des collectivités';

let site;
before(async () => {
  site = await openSite();
});
after(async () => {
  await site?.close();
});

async function assertNoScriptRan(page) {
  // The DSFR's script marks the document when it starts.
  assert.equal(await page.locator('html').getAttribute('data-fr-js'), null, 'no script has run');
}

test('4. without JavaScript: sign up, correct a mistake, confirm, open my registrations', JOURNEY, async () => {
  const page = await site.newPage({ javaScript: false });
  const person = aPerson({ firstName: 'Anne-Sophie', lastName: 'Le Goff', authorityKind: 'Département', authorityName: 'Finistère', authorityCode: '29' });

  await openHomePage(page);
  await assertNoScriptRan(page);
  await checkPage(page, 'sans-js-accueil');

  await chooseGroup(page, GROUP_2);
  await checkPage(page, 'sans-js-formulaire');

  await fillSignUpForm(page, { ...person, email: 'anne-sophie.le-goff' });
  await sendSignUp(page);
  await page.getByRole('heading', { name: 'Le formulaire contient une erreur' }).waitFor();
  assert.equal((await focusedElement(page))?.id, 'resume-erreurs', 'autofocus puts the focus on the summary');
  assert.equal((await formValues(page)).lastName, person.lastName, 'input kept');
  await checkPage(page, 'sans-js-formulaire-avec-erreurs');

  await page.getByLabel(/^Adresse électronique/).fill(person.email);
  await sendSignUp(page);
  await assertHeading(page, 'Vérifiez votre messagerie');
  await checkPage(page, 'sans-js-verifiez-votre-messagerie');

  const email = await readConfirmationEmail(site, person);
  await followConfirmationLink(page, site, email);
  await checkPage(page, 'sans-js-inscription-confirmee');

  await page.getByRole('link', { name: 'Voir mes inscriptions' }).click();
  await assertHeading(page, 'Mes inscriptions');
  await page.getByRole('heading', { name: GROUP_2 }).waitFor();
  await assertNoScriptRan(page);
  await checkPage(page, 'sans-js-mes-inscriptions');
});
