// The demo script (examples/demo) walked through the web app in a real browser: Debian's
// Chromium driven by playwright-core, against the built app served by `examples/demo --serve` on PGlite.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe.js';
import { type Browser, launchBrowser } from './browser.js';
import { buildApp } from './build-app.js';
import { type DemoServer, startDemoServer } from './demo-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(import.meta.dirname, 'screenshots');
const FIXTURES = join(import.meta.dirname, 'fixtures');

let server: DemoServer | null = null;
let baseUrl = '';
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** Waits until the locator's element is visible (fails the test on timeout). */
async function visible(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible' });
  return locator;
}

/** Waits until the locator's text matches. */
async function hasText(locator: Locator, text: string | RegExp): Promise<void> {
  await visible(locator);
  const read = async () => (await locator.first().textContent()) ?? '';
  if (typeof text === 'string') await expect.poll(read, { timeout: 20_000 }).toContain(text);
  else await expect.poll(read, { timeout: 20_000 }).toMatch(text);
}

async function attribute(locator: Locator, name: string): Promise<string | null> {
  await visible(locator);
  return locator.getAttribute(name);
}

/**
 * Runs the enricher, which scores the graph entities matching `q`: through the form generated from its
 * input contract when it publishes one with that field, else through the JSON editor.
 */
async function runEnricher(q: string): Promise<void> {
  const form = page.getByRole('form', { name: /^Input for/ });
  await visible(form);
  const field = form.getByRole('textbox', { name: /^Q\b/ });
  if ((await field.count()) > 0) await field.fill(q);
  else await form.getByRole('textbox', { name: 'Input JSON' }).fill(JSON.stringify({ q, limit: 5 }));
  await form.getByRole('button', { name: /^Run / }).click();
  await visible(page.getByRole('alert', { name: /^Run (succeeded|denied)$/ }));
}

/**
 * Saves a full-page screenshot for review in tests/e2e/screenshots/. With `readme`, it is also the
 * README's picture in docs/images/: written when missing or when INTELGRAPH_UPDATE_SCREENSHOTS=1, so
 * ordinary runs leave the committed images alone.
 */
async function shot(name: string, readme = false): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (!readme) return;
  const committed = join(ROOT, 'docs', 'images', `${name}.png`);
  if (process.env.INTELGRAPH_UPDATE_SCREENSHOTS === '1' || !existsSync(committed)) {
    await mkdir(dirname(committed), { recursive: true });
    await copyFile(path, committed);
  }
}

async function open(hash: string): Promise<void> {
  await page.goto(`${baseUrl}/${hash}`);
  await visible(page.getByRole('heading', { level: 1 }));
}

async function actAs(userId: string): Promise<void> {
  await page.getByLabel('Acting user').selectOption(userId);
}

/** The id in a "Request rt-… filed" style notice. */
async function noticeTaskId(pattern: RegExp): Promise<string> {
  const notice = page.getByRole('status').filter({ hasText: pattern });
  await visible(notice);
  const match = pattern.exec((await notice.textContent()) ?? '');
  if (!match?.[1]) throw new Error(`no task id in the notice matching ${pattern}`);
  return match[1];
}

/** A GraphQL request straight to the demo server as one of its development-mode users. */
async function graphql<T>(
  user: { id: string; roles: string[] },
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-intelgraph-user': user.id,
      'x-intelgraph-org': 'acme',
      'x-intelgraph-roles': user.roles.join(','),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(`GraphQL refused: ${JSON.stringify(body.errors)}`);
  return body.data;
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  buildApp();
  const external = process.env.INTELGRAPH_E2E_URL;
  if (external) baseUrl = external.replace(/\/$/, '');
  else {
    server = await startDemoServer();
    baseUrl = server.url;
  }
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the marketplace web app walks the demo script', () => {
  it('1. finds the enricher, installs it with minimal consent, runs it and shows provenance and cost', async () => {
    await open('#/marketplace');
    expect(
      await attribute(
        page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketplace' }),
        'aria-current',
      ),
    ).toBe('page');
    const articles = page.getByRole('article');
    await visible(articles);
    const before = await articles.count();
    await page.getByRole('searchbox', { name: 'Search plugins' }).fill('enricher');
    const card = page.getByRole('article', { name: 'sample-enricher', exact: true });
    await visible(card);
    await expect.poll(() => articles.count()).toBeLessThan(before);
    expect(await page.getByRole('article', { name: 'case-exporter', exact: true }).count()).toBe(0);
    // Unrated so far: no made-up stars; counts read "1 install", "2 installs".
    await visible(card.getByText('No ratings yet'));
    await visible(card.getByText(/^[\d,]+ installs?$/));
    await shot('marketplace', true);

    await card.getByRole('button', { name: /^Install/ }).click();
    const dialog = page.getByRole('dialog', { name: /Install/ });
    await visible(dialog);
    const required = dialog.getByRole('list', { name: 'Required capabilities' }).getByRole('switch');
    expect(await required.count()).toBeGreaterThan(0);
    for (const s of await required.all()) {
      expect(await s.isChecked()).toBe(true);
      expect(await s.isDisabled()).toBe(true);
    }
    const optional = dialog.getByRole('list', { name: 'Optional capabilities' }).getByRole('switch');
    for (const s of await optional.all()) expect(await s.isChecked()).toBe(false);
    await shot('consent-dialog', true);
    await dialog.getByRole('button', { name: /^Install/ }).click();
    await visible(dialog.getByText(/is installed with/));
    await dialog.getByRole('link', { name: 'Open it in the runner' }).click();

    await visible(page.getByRole('heading', { level: 1, name: 'Plugin runner' }));
    const form = page.getByRole('form', { name: /^Input for/ });
    await visible(form);
    await hasText(page.getByRole('region', { name: 'Budget preview' }), 'Expected cost per run');
    await runEnricher('Acme');
    await visible(page.getByRole('alert', { name: 'Run succeeded' }));
    const provenance = page.getByRole('region', { name: 'Provenance' });
    await visible(provenance.getByLabel(/^Plugin sample-enricher@\d/));
    await visible(provenance.getByLabel(/^Code digest sha256:[0-9a-f]{64}$/));
    await visible(provenance.getByLabel('Scope graph:read'));
    await visible(provenance.getByLabel(/^Entity org-acme/));
    await hasText(page.getByLabel('Run cost'), /^\$\d/);
    await expect
      .poll(() => page.getByRole('group', { name: 'Usage against budget' }).getByRole('progressbar').count())
      .toBe(5);
    await shot('runner', true);

    // Two more runs, so the dashboard has a few to aggregate.
    for (const q of ['Coyote', 'Globex']) {
      await runEnricher(q);
      await hasText(page.getByRole('list', { name: 'Output items' }), q);
    }
  });

  it('2. shows the diff and the patch for a failing payload, applies it, re-tests and ingests', async () => {
    await open('#/contracts/person');
    await page.getByRole('tab', { name: 'Compare versions' }).click();
    await visible(page.getByLabel('Compatibility verdict'));
    await visible(page.getByRole('list', { name: 'Schema changes' }).getByRole('listitem').first());
    await shot('contracts-diff', true);

    await page.getByRole('tab', { name: 'Test and ingest' }).click();
    await page.getByLabel('Upload samples').setInputFiles(join(FIXTURES, 'person-failing.json'));
    await hasText(page.getByLabel('Contract test verdict'), 'Contract tests fail');
    const failing = page.getByRole('article', { name: 'Record 1 fails' });
    await expect
      .poll(() =>
        failing
          .getByRole('table', { name: /Suggested patch/ })
          .getByRole('row')
          .count(),
      )
      .not.toBe(1);
    await visible(failing.getByRole('figure', { name: 'Record with the patch' }));
    await shot('contracts-patch', true);

    await failing.getByRole('button', { name: 'Apply patch to record 1' }).click();
    await hasText(page.getByLabel('Contract test verdict'), 'Contract tests pass');
    await page.getByRole('button', { name: /^Ingest \d+ record/ }).click();
    await hasText(page.getByLabel('Ingest result'), 'Ingest succeeded');
    await shot('contracts', true);
  });

  it('3. approves a policy change as a second user, then denies another and sees the appeal in the queue', async () => {
    await open('#/governance/new');
    await actAs('alice');
    const requestPolicyChange = async (reason: string) => {
      const form = page.getByRole('form', { name: 'Request a policy change' });
      await form.getByLabel('Request kind').selectOption('policy_change');
      await form.getByLabel('Policy to change').selectOption('export');
      await form.getByRole('textbox', { name: 'New policy params' }).fill('{ "maxRecords": 250 }');
      await form.getByRole('textbox', { name: 'Reason' }).fill(reason);
      await form.getByRole('button', { name: 'Submit request' }).click();
      return noticeTaskId(/Request (\S+) filed \(pending\)/);
    };
    const approved = await requestPolicyChange('Quarterly audit needs larger exports');

    await actAs('bob');
    await open('#/governance/approvals');
    const task = page.getByRole('article', { name: new RegExp(`${approved}$`) });
    await visible(task.getByLabel(/^SLA: Due in/));
    await task.getByRole('button', { name: `Approve ${approved}` }).click();
    const approveDialog = page.getByRole('dialog', { name: /^Approve/ });
    await approveDialog.getByRole('textbox', { name: /Note/ }).fill('Checked with legal');
    await approveDialog.getByRole('button', { name: 'Approve' }).click();
    await visible(page.getByRole('status').filter({ hasText: `${approved} approved; it is now applied` }));

    await open('#/governance/new');
    await actAs('alice');
    const denied = await requestPolicyChange('Raise the threshold again');
    await actAs('bob');
    await open('#/governance/approvals');
    await page.getByRole('button', { name: `Deny ${denied}` }).click();
    const denyDialog = page.getByRole('dialog', { name: /^Deny/ });
    const denyButton = denyDialog.getByRole('button', { name: 'Deny' });
    expect(await denyButton.isDisabled()).toBe(true);
    await denyDialog.getByRole('textbox', { name: /Reason for denial/ }).fill('No evidence attached');
    await denyButton.click();
    await visible(page.getByRole('status').filter({ hasText: `${denied} denied` }));

    await actAs('alice');
    await open('#/governance/requests');
    await page.getByRole('button', { name: `Appeal ${denied}` }).click();
    const appealDialog = page.getByRole('dialog', { name: /^Appeal/ });
    await appealDialog.getByRole('textbox', { name: /Grounds for appeal/ }).fill('Evidence now attached');
    await appealDialog.getByRole('button', { name: 'Lodge appeal' }).click();
    const appeal = await noticeTaskId(/it is now (\S+) \(/);
    const appealCard = page.getByRole('article', { name: new RegExp(`${appeal}$`) });
    await hasText(appealCard, `Appeal of ${denied}`);

    await actAs('carol');
    await open('#/governance/approvals');
    await hasText(page.getByRole('article', { name: new RegExp(`${appeal}$`) }), `Appeal of ${denied}`);
    await shot('governance', true);

    await page.goto(`${baseUrl}/#/governance/approvals?task=${encodeURIComponent(approved)}`);
    const audit = page.getByRole('dialog', { name: `Audit trail of ${approved}` });
    await visible(audit.getByLabel('Chain verified'));
    await shot('governance-audit', true);
  });

  it('4. renders the FinOps charts with data from the runs just made', async () => {
    await open('#/finops');
    await actAs('alice');
    const p95 = page.getByRole('figure', { name: 'Plugin p95 latency over time' });
    expect(await attribute(p95, 'data-empty')).toBe('false');
    await visible(p95.locator('.recharts-line-dot'));
    await hasText(p95, 'sample-enricher');
    const cost = page.getByRole('figure', { name: 'Cost per plugin' });
    expect(await attribute(cost, 'data-empty')).toBe('false');
    await visible(cost.locator('.recharts-bar-rectangle').first());
    await hasText(cost, 'sample-enricher');
    expect(await attribute(page.getByRole('figure', { name: 'Contract checks' }), 'data-empty')).toBe(
      'false',
    );
    expect(await attribute(page.getByRole('figure', { name: 'Approval SLA' }), 'data-empty')).toBe('false');
    await expect
      .poll(() => page.getByRole('list', { name: 'Kill switches' }).getByRole('switch').count())
      .not.toBe(0);
    await shot('dashboard', true);
  });

  it('5. refuses a run while the kill switch is on, with the reason, and runs again once it is off', async () => {
    await open('#/finops');
    const setSwitch = async (on: boolean, reason: string) => {
      await page.getByRole('switch', { name: 'Kill switch: Plugin sample-enricher' }).click();
      const dialog = page.getByRole('dialog', { name: on ? /^Stop/ : /^Resume/ });
      await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
      await dialog.getByRole('button', { name: on ? 'Switch off' : 'Switch back on' }).click();
      await expect
        .poll(() => page.getByRole('switch', { name: 'Kill switch: Plugin sample-enricher' }).isChecked())
        .toBe(on);
    };
    await setSwitch(true, 'Incident 42: unexpected egress');

    await open('#/runner/sample-enricher');
    // The runner says so before Run is pressed.
    await hasText(page.getByRole('status', { name: 'Kill switch on' }), 'Incident 42: unexpected egress');
    await runEnricher('Acme');
    const denied = page.getByRole('alert', { name: 'Run denied' });
    await hasText(denied, 'Kill switch on');
    await hasText(denied, 'KILL_SWITCH');
    await shot('runner-denied', true);

    await open('#/finops');
    await setSwitch(false, 'Incident 42 resolved');
    await open('#/runner/sample-enricher');
    await runEnricher('Acme');
    await visible(page.getByRole('alert', { name: 'Run succeeded' }));
  });

  it('6. counts contract tests against the submitted sample (3 records, 1 failure) and shows warnings', async () => {
    await open('#/contracts/person');
    await page.getByRole('tab', { name: 'Test and ingest' }).click();
    await page.getByLabel('Upload samples').setInputFiles(join(FIXTURES, 'person-three.json'));
    const verdict = page.getByLabel('Contract test verdict');
    await hasText(verdict, 'Contract tests fail');
    await hasText(verdict, /2 of 3 records match person v\d+\./);
    expect(await page.getByRole('article', { name: /^Record \d+ fails$/ }).count()).toBe(1);
    await visible(page.getByRole('article', { name: 'Record 2 fails' }));
    await hasText(page.getByLabel('Contract test warnings'), 'Record 3: /dob');
    await shot('contracts-counts', true);
  });

  it('7. says a high-risk install needs review and by whom, then shows Pending review and refuses a duplicate', async () => {
    await open('#/marketplace?q=sanctions');
    await actAs('alice');
    const card = page.getByRole('article', { name: 'sanctions-screener', exact: true });
    await card.getByRole('button', { name: 'Install sanctions-screener' }).click();
    const dialog = page.getByRole('dialog', { name: /Install/ });
    const warning = dialog.getByLabel('Needs review');
    await hasText(warning, 'graph:write');
    await hasText(warning, 'a steward of your org');
    await shot('consent-dialog-review', true);
    await dialog.getByRole('button', { name: 'Request review to install' }).click();
    await hasText(dialog, /Pending review: request \S+ waits for a steward of your org/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    const pending = card.getByRole('link', { name: /^Pending review sanctions-screener/ });
    await visible(pending);
    expect(await card.getByRole('button', { name: 'Install sanctions-screener' }).count()).toBe(0);

    // The same request again, straight to the API: one open request per org, plugin and version.
    // (The server refuses a second open request; this test states that behaviour from the browser.)
    const code = await page.evaluate(`(async () => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-intelgraph-user': 'alice',
          'x-intelgraph-org': 'acme', 'x-intelgraph-roles': 'analyst,admin' },
        body: JSON.stringify({ query: 'mutation { pluginInstall(id: "sanctions-screener") { status reviewTask { id } } }' }),
      });
      const body = await res.json();
      return body.errors?.[0]?.extensions?.code ?? body.data?.pluginInstall?.status;
    })()`);
    expect(code).toBe('CONFLICT');
  });

  it('8. shows a review task as a sentence, and the approve dialog lists the scopes it grants', async () => {
    await open('#/governance/approvals');
    await actAs('bob');
    // first(): until the server refuses duplicates (test 7), the duplicate request is a second task.
    const task = page.getByRole('article', { name: /^Install sanctions-screener@\S+ · / }).first();
    await hasText(task.getByLabel('What is requested'), 'alice asks to install sanctions-screener@');
    await visible(task.getByText('Request payload (JSON)'));
    await shot('governance-review-task', true);
    await task.getByRole('button', { name: /^Approve / }).click();
    const dialog = page.getByRole('dialog', { name: /^Approve: Install sanctions-screener/ });
    const scopes = dialog.getByRole('list', { name: 'Scopes being granted' });
    await hasText(scopes, 'graph:write');
    await hasText(scopes, 'high risk');
    await shot('governance-approve-dialog', true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('9. disables what the acting user may not do, and says why', async () => {
    await open('#/finops');
    await actAs('bob');
    const ks = page.getByRole('switch', { name: 'Kill switch: Plugin sample-enricher' });
    await visible(ks);
    expect(await ks.isDisabled()).toBe(true);
    await visible(page.getByText(/Only an admin can switch plugins off or on/).first());

    await open('#/plugins/geo-enricher');
    await actAs('alice');
    const form = page.getByRole('form', { name: 'Rate this plugin' });
    await hasText(form, 'Only orgs that have geo-enricher installed can rate it');
    expect(await form.getByRole('button', { name: 'Submit rating' }).isDisabled()).toBe(true);
    await visible(page.getByText('No ratings yet').first());
    await shot('plugin-detail', true);
  });

  it('10. lets a moderator hide, unhide and resolve abuse reports with a reason', async () => {
    await open('#/marketplace');
    await actAs('dave');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Moderation' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Moderation' }));
    const item = page.getByRole('article', { name: 'case-triage@1.0.0' });
    await hasText(item, '2 open reports');
    await hasText(item, 'Writes case titles into its logs.');
    await shot('moderation', true);

    const act = async (button: string, reason: string, notice: RegExp) => {
      await item.getByRole('button', { name: button }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
      await dialog.getByRole('button', { name: /^(Hide|Unhide|Resolve)$/ }).click();
      await visible(page.getByRole('status').filter({ hasText: notice }));
    };
    await act('Hide case-triage@1.0.0', 'Checking the privacy report', /is hidden from search/);
    await hasText(item, 'Hidden from search');
    await act('Unhide case-triage@1.0.0', 'Logs hold no personal data', /is listed again/);
    await act(
      'Resolve reports on case-triage@1.0.0',
      'Urgency follows the entity risk flags',
      /2 reports on case-triage@1.0.0 dismissed/,
    );
    await hasText(
      page.getByRole('list', { name: 'Recently resolved' }),
      'Urgency follows the entity risk flags',
    );
    expect(await page.getByRole('article', { name: 'case-triage@1.0.0' }).count()).toBe(0);
    await shot('moderation-resolved', true);

    await actAs('alice');
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Moderation' }).count(),
    ).toBe(0);
  });

  it('11. keeps search in the URL, shows a not-found page, and keeps notices on their tab', async () => {
    await open('#/marketplace?q=enricher&risk=low');
    expect(await page.getByRole('searchbox', { name: 'Search plugins' }).inputValue()).toBe('enricher');
    await visible(page.getByRole('article', { name: 'sample-enricher', exact: true }));
    await page.getByRole('searchbox', { name: 'Search plugins' }).fill('overlay');
    await expect.poll(() => page.evaluate('window.location.hash')).toContain('q=overlay');
    expect(await page.evaluate('window.location.hash')).toContain('risk=low');

    await open('#/no-such-page');
    await visible(page.getByRole('heading', { level: 1, name: 'Page not found' }));
    await hasText(page.getByRole('main'), '/no-such-page');
    await shot('not-found', true);

    await open('#/governance/new');
    await actAs('alice');
    const form = page.getByRole('form', { name: 'Request a policy change' });
    await form.getByLabel('Request kind').selectOption('policy_change');
    await form.getByLabel('Policy to change').selectOption('export');
    await form.getByRole('textbox', { name: 'New policy params' }).fill('{ "maxRecords": 300 }');
    await form.getByRole('textbox', { name: 'Reason' }).fill('Notice check');
    await form.getByRole('button', { name: 'Submit request' }).click();
    await noticeTaskId(/Request (\S+) filed \(pending\)/);
    await page.getByRole('tab', { name: 'My requests' }).click();
    await visible(page.getByRole('heading', { level: 2, name: /^Requests you filed/ }));
    expect(await page.getByRole('status').filter({ hasText: /filed/ }).count()).toBe(0);
  });

  it('12. counts a refused run as a denial, with every violated path, not as an executed run', async () => {
    await open('#/runner/sample-enricher');
    await actAs('alice');
    const executed = page
      .getByRole('region', { name: 'Budget preview' })
      .getByText('Past runs that executed')
      .locator('xpath=following-sibling::*[1]');
    await visible(executed);
    const before = await executed.textContent();
    const form = page.getByRole('form', { name: /^Input for/ });
    await page.getByRole('button', { name: 'JSON' }).click();
    await form.getByRole('textbox', { name: 'Input JSON' }).fill('{ "q": 5, "limit": "many" }');
    await form.getByRole('button', { name: /^Run / }).click();
    const denied = page.getByRole('alert', { name: 'Run denied' });
    await hasText(denied, 'Input contract violated');
    const violations = denied.getByRole('list', { name: 'Contract violations' }).getByRole('listitem');
    await expect.poll(() => violations.count()).toBeGreaterThanOrEqual(2);
    await visible(denied.getByText('Technical details'));
    await shot('runner-contract-denied', true);
    await expect.poll(() => executed.textContent()).toBe(before);

    await open('#/finops');
    await hasText(
      page.getByRole('region', { name: 'Key figures' }),
      /\d+ runs? denied \(not counted as runs\)/,
    );
  });

  it('13. has no serious or critical axe violations on any route, and a visible focus outline', async () => {
    const routes: [string, string][] = [
      ['alice', '#/marketplace'],
      ['alice', '#/marketplace/installed'],
      ['alice', '#/plugins/sample-enricher'],
      ['alice', '#/runner/sample-enricher'],
      ['alice', '#/contracts/person'],
      ['bob', '#/governance/approvals'],
      ['alice', '#/governance/requests'],
      ['alice', '#/governance/new'],
      ['alice', '#/finops'],
      ['dave', '#/moderation'],
      ['alice', '#/no-such-page'],
    ];
    // The pages no earlier step pictured.
    const pictures: Record<string, string> = {
      '#/marketplace/installed': 'installed',
      '#/governance/requests': 'governance-requests',
      '#/governance/new': 'governance-new',
    };
    const found: Record<string, unknown> = {};
    for (const [user, route] of routes) {
      await open(route);
      await actAs(user);
      await visible(page.getByRole('heading', { level: 1 }));
      // Every loading placeholder (LoadingState) has skeleton rows: wait until the page has its data.
      await expect.poll(() => page.locator('.MuiSkeleton-root').count(), { timeout: 20_000 }).toBe(0);
      const picture = pictures[route];
      if (picture) await shot(picture, true);
      const v = await seriousViolations(page);
      if (v.length > 0) found[`${user} ${route}`] = v;
    }
    // The runner with a result on screen (output, provenance, logs), and the contracts diff.
    await open('#/runner/sample-enricher');
    await runEnricher('Acme');
    const afterRun = await seriousViolations(page);
    if (afterRun.length > 0) found['runner after a run'] = afterRun;
    expect(found).toEqual({});

    await open('#/marketplace');
    await page.keyboard.press('Tab');
    const outline = (await page.evaluate(`(() => {
      const el = document.activeElement;
      const s = el && getComputedStyle(el);
      return s ? { style: s.outlineStyle, width: parseFloat(s.outlineWidth) } : null;
    })()`)) as { style: string; width: number } | null;
    expect(outline?.style).not.toBe('none');
    expect(outline?.width ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('14. lists a run in the plugin audit log with the chain verdict, and replays it from its event as identical', async () => {
    await open('#/runner/sample-enricher');
    await actAs('alice');
    await runEnricher('Acme');
    await visible(page.getByRole('alert', { name: 'Run succeeded' }));
    const caption =
      (await page
        .getByRole('region', { name: 'Provenance' })
        .getByText(/^Run \S+ · /)
        .textContent()) ?? '';
    const runId = /^Run (\S+) · /.exec(caption)?.[1];
    expect(runId).toBeTruthy();

    await page.getByRole('link', { name: 'See this run in the audit log' }).click();
    expect(await page.evaluate('window.location.hash')).toBe(
      `#/runner/sample-enricher/audit?run=${encodeURIComponent(runId ?? '')}`,
    );
    expect(await attribute(page.getByRole('tab', { name: 'Audit log' }), 'aria-selected')).toBe('true');
    const log = page.getByRole('region', { name: 'Audit log of sample-enricher' });
    await visible(log.getByLabel('Chain verified'));
    const events = log.getByRole('list', { name: 'Audit events' });
    // The run the link named is the one brought into view and focused.
    const item = events.locator('li[aria-current="true"]');
    await hasText(item, `Run ${runId} by alice succeeded`);
    await visible(events.getByRole('listitem', { name: /^Installed by / }));
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-current")')).toBe('true');

    // Keyboard only: Tab from the focused event to its Replay button and press Enter.
    const focused = async () => {
      await page.keyboard.press('Tab');
      return String(await page.evaluate('document.activeElement?.textContent ?? ""'));
    };
    await expect.poll(focused, { timeout: 10_000 }).toBe(`Replay run ${runId}`);
    await page.keyboard.press('Enter');
    await hasText(item.getByRole('status', { name: 'Replay result' }), 'Identical');
    // The replay is audited too, and the log shows it.
    await visible(events.getByRole('listitem', { name: `Run ${runId} replayed identically by alice` }));
    await page.evaluate('window.scrollTo(0, 0)');
    await shot('runner-audit', true);
    expect(await seriousViolations(page)).toEqual([]);

    // Filtered to replays, the run events (and their Replay buttons) step aside.
    await log.getByRole('button', { name: 'Replays', exact: true }).click();
    await expect.poll(() => events.getByRole('button', { name: /^Replay run / }).count()).toBe(0);
    await visible(events.getByRole('listitem', { name: `Run ${runId} replayed identically by alice` }));
  });

  it("15. shows the person contract's version graph with the migration rules a steward approved, and each installation's negotiated versions", async () => {
    // The golden rules between person v1 and v2 (dob ↔ birthDate), requested by alice and approved by bob.
    const rules = JSON.parse(
      await readFile(join(ROOT, 'contracts', 'migrations', 'person.json'), 'utf8'),
    ) as {
      from: number;
      to: number;
      description: string;
      operations: unknown[];
      samples: unknown[];
    }[];
    for (const rule of rules) {
      const { contractRegisterMigrationRule: r } = await graphql<{
        contractRegisterMigrationRule: { status: string; reviewTask: { id: string } | null };
      }>(
        { id: 'alice', roles: ['analyst', 'admin'] },
        `mutation Register($subject: String!, $from: Int!, $to: Int!, $operations: [JSON!]!, $description: String, $samples: [JSON!]!, $reason: String!) {
          contractRegisterMigrationRule(subject: $subject, from: $from, to: $to, operations: $operations, description: $description, samples: $samples, reason: $reason) { status reviewTask { id } }
        }`,
        { subject: 'person', ...rule, reason: 'Readers of v1 keep working while producers write v2' },
      );
      expect(r.status).toBe('pending_review');
      const approved = await graphql<{ reviewApprove: { status: string } }>(
        { id: 'bob', roles: ['steward'] },
        'mutation Approve($id: ID!, $note: String) { reviewApprove(id: $id, note: $note) { status } }',
        { id: r.reviewTask?.id, note: 'golden samples round-trip' },
      );
      expect(approved.reviewApprove.status).toBe('applied');
    }

    await open('#/contracts/person');
    await actAs('alice');
    await page.getByRole('tab', { name: 'Version graph' }).click();
    await visible(
      page.getByRole('img', {
        name: /^person versions v1, v2; migration rules v1 → v2 upgrade, v2 → v1 downgrade/,
      }),
    );
    const list = page.getByRole('list', { name: 'Migration rules of person' });
    await expect.poll(() => list.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
    await list.getByText('v1 → v2 upgrade', { exact: true }).click();
    await hasText(
      page.getByRole('list', { name: 'Operations of v1 → v2 upgrade' }),
      'move /dob to /birthDate',
    );
    // Keyboard: the downgrade opens from its summary with Enter.
    await list
      .locator('summary')
      .filter({ hasText: /^v2 → v1 downgrade/, hasNotText: 'JSON Patch' })
      .focus();
    await page.keyboard.press('Enter');
    await hasText(
      page.getByRole('list', { name: 'Operations of v2 → v1 downgrade' }),
      'move /birthDate to /dob',
    );
    await shot('contracts-graph', true);
    expect(await seriousViolations(page)).toEqual([]);

    await open('#/marketplace/installed');
    await hasText(
      page.getByRole('list', { name: 'Contracts of sample-enricher' }),
      'input: enricher-query v1',
    );
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('logged no error in the page along the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
