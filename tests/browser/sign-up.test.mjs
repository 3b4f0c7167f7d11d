// Journeys 1 and 2: a person signs up to a group from the home page, with the
// mouse; once straight through, once after sending the form with mistakes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOURNEY, checkPage, openSite } from './harness.mjs';
import {
  GROUP_1,
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

let site;
before(async () => {
  site = await openSite();
});
after(async () => {
  await site?.close();
});

test('1. from the home page to a group, sign up, confirm from the email', JOURNEY, async () => {
  const page = await site.newPage();
  const person = aPerson();

  await openHomePage(page);
  await checkPage(page, 'accueil');

  await chooseGroup(page, GROUP_1);
  await checkPage(page, 'formulaire');

  await fillSignUpForm(page, person);
  await sendSignUp(page);
  await assertHeading(page, 'Vérifiez votre messagerie');
  await checkPage(page, 'verifiez-votre-messagerie');

  const email = await readConfirmationEmail(site, person);
  assert.match(email.text, /Agenda de transformation numérique des collectivités/);
  await followConfirmationLink(page, site, email);
  await assert.doesNotReject(
    page.getByRole('listitem').filter({ hasText: GROUP_1 }).waitFor(),
    'the confirmation names the group',
  );
  await checkPage(page, 'inscription-confirmee');
});

test('2. the form sent with mistakes: summary focused, errors linked to fields, input kept', JOURNEY, async () => {
  const page = await site.newPage();
  const person = aPerson();
  const withMistakes = {
    ...person,
    firstName: '',
    email: 'elodie.ndiaye@',
    role: null,
    authorityKind: null,
  };

  await openHomePage(page);
  await chooseGroup(page, GROUP_1);
  await fillSignUpForm(page, withMistakes);
  await sendSignUp(page);

  const summary = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: /Le formulaire contient 4 erreurs/ }) });
  await summary.waitFor();
  assert.equal((await focusedElement(page))?.id, 'resume-erreurs', 'the error summary has the focus');
  assert.match(await page.title(), /^Erreur — /, 'the title says the page shows errors');

  assert.deepEqual(await formValues(page), typedValues(withMistakes), 'what was typed is still there');

  const links = summary.getByRole('link');
  const expected = [
    ['first_name', 'input'],
    ['email', 'input'],
    ['role', 'fieldset'],
    ['authority_kind', 'select'],
  ];
  assert.equal(await links.count(), expected.length);
  for (const [index, [id, tag]] of expected.entries()) {
    const link = links.nth(index);
    const message = (await link.textContent()).trim();
    await link.click();
    assert.deepEqual(
      await focusedElement(page).then((f) => [f.id, f.tag]),
      [id, tag],
      `the error « ${message} » leads to its field`,
    );
    const field = page.locator(`#${id}`);
    const describedBy = (await field.getAttribute('aria-describedby')) ?? (await field.getAttribute('aria-labelledby'));
    const besideField = page.locator(`#${id}-messages`);
    assert.ok(describedBy.split(' ').includes(`${id}-messages`), `${id} is described by its message`);
    assert.equal((await besideField.textContent()).trim(), message, `the message of ${id} is beside it`);
    if (tag !== 'fieldset') assert.equal(await field.getAttribute('aria-invalid'), 'true');
  }
  await checkPage(page, 'formulaire-avec-erreurs');

  await fillSignUpForm(page, person);
  await sendSignUp(page);
  await assertHeading(page, 'Vérifiez votre messagerie');
  const email = await readConfirmationEmail(site, person);
  await followConfirmationLink(page, site, email);
});

function typedValues(person) {
  return {
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email,
    phone: person.phone,
    function: person.function,
    authorityName: person.authorityName,
    authorityCode: person.authorityCode,
  };
}
