// The audit can fail: on a page with a known fault (an input without a label),
// it reports the violation by rule and element, and `assertAccessible` throws.
// The focus check can fail too: a link whose outline is removed is reported.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, assertAccessible, audit, launchBrowser } from './harness.mjs';
import { focusIndicator } from './actions.mjs';

const FIXTURE = pathToFileURL(join(ROOT, 'tests/browser/fixtures/unlabelled-input.html')).href;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('the audit reports an unlabelled input, by rule and element', async () => {
  const page = await browser.newPage();
  await page.goto(FIXTURE);

  const violations = await audit(page);

  assert.deepEqual(
    violations.map((v) => [v.id, v.targets]),
    [['label', ['input']]],
    'the only fault of the fixture is its unlabelled input',
  );
  await assert.rejects(assertAccessible(page, 'fixture'), (error) => {
    assert.match(error.message, /- label \(critical\)/);
    assert.match(error.message, /^ {4}input$/m);
    return true;
  });
});

test('the focus check fails on a link whose focus outline is removed', async () => {
  const page = await browser.newPage();
  await page.setContent(`<!DOCTYPE html><html lang="fr"><head><title>Focus</title>
    <style>a.hidden-focus:focus { outline: none }</style></head>
    <body><a href="#a">avec contour</a> <a class="hidden-focus" href="#b">sans contour</a></body></html>`);

  await page.keyboard.press('Tab');
  assert.equal((await focusIndicator(page)).visible, true, 'the default outline is seen');
  await page.keyboard.press('Tab');
  const focus = await focusIndicator(page);
  assert.equal(focus.visible, false, `a link without outline is reported: ${focus.indicator}`);
});
