// `phieu app` in a real browser: Debian's chromium driven by playwright-core.
// Started by run.sh, which runs the meeting (server, tellers, key ceremony)
// and three `phieu app` processes: the chair (also the delegate of Sơn La),
// Nguyễn Ngọc Thư (Cao Bằng) and the delegate of Lạng Sơn.
//
// What it shows: delegates check in and vote through the page and get a
// receipt whose ballot is in the election record; a delegate checks an
// encryption first (its tracking code shown before the decision; published,
// never counted) and casts a fresh one; a ballot abandoned by a reload is
// never cast, and a reload mid-vote never makes a second ballot; voting works with the keyboard alone; the chair
// opens and closes; the projector shows turnout, then the result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from './chromium.mjs';

const env = process.env;
const BALLOT = 'co-thi-dua';
const shot = (page, name) => page.screenshot({ path: path.join(env.SCREENSHOTS, name + '.png'), fullPage: true });

let browser;
let chair, thu, langson, projector;

async function openApp(url, viewport = { width: 1180, height: 860 }) {
  const context = await browser.newContext({ viewport, locale: 'vi-VN' });
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  page.on('dialog', d => d.accept());
  await page.goto(url);
  await page.waitForSelector('#meeting-title strong');
  return page;
}

before(async () => {
  // Each person below has its own browser context.
  browser = await launchChromium(30000);
  chair = await openApp(env.CHAIR_URL);
  thu = await openApp(env.DELEGATE_URL);
  langson = await openApp(env.RELOAD_URL, { width: 420, height: 900 });
});

after(async () => { if (browser) await browser.close(); });

function record() {
  const out = path.join(env.WORK, 'record.json');
  execFileSync(env.PHIEU, ['record', 'export', '--profile', env.CHAIR_PROFILE, '--out', out, '--json']);
  return JSON.parse(readFileSync(out, 'utf8'));
}

// The ballot entries of `unit` in the record (its JSON view: bodies decoded).
function ballotsOf(rec, unit) {
  return rec.bodies.filter(e => e.body && e.body.ballot && e.body.ballot.unit_id === unit);
}

// The spoiled ballots (checked encryptions) of `unit` in the record.
function spoiledOf(rec, unit) {
  return rec.bodies.filter(e => e.body && e.body.spoiled && e.body.spoiled.ballot.unit_id === unit);
}

// The receipt on the page names an entry of the record: that position holds
// this unit's ballot, with the chain hash the receipt shows.
async function receiptInRecord(page, unit) {
  const seq = Number((await page.textContent('[data-testid="receipt-seq"]')).replace(/\D/g, ''));
  const hash = (await page.textContent('[data-testid="receipt-hash"]')).replace(/[^0-9a-f]/g, '');
  const rec = record();
  const mine = ballotsOf(rec, unit);
  assert.equal(mine.length, 1, `one ballot of ${unit} in the record`);
  assert.equal(Number(mine[0].seq), seq, 'the receipt names its position');
  assert.ok(mine[0].hash.startsWith(hash) && hash.length >= 16, 'the receipt names its chain hash');
}

test('the link works once and a page without the session is refused', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const again = await page.goto(env.CHAIR_URL);
  assert.equal(again.status(), 403);
  const base = new URL(env.CHAIR_URL).origin;
  const state = await page.goto(base + '/api/state');
  assert.equal(state.status(), 401);
  await ctx.close();
});

test('delegates check in through the page; the chair sees the quorum', async () => {
  await shot(thu, '01-delegate-before-checkin');
  await thu.click('#checkin');
  await thu.waitForSelector('.pill.ok');
  await langson.click('#checkin');
  await langson.waitForSelector('.pill.ok');
  await chair.click('#checkin');
  await chair.waitForSelector('.pill.ok');
  await chair.goto(chair.url().split('#')[0] + '#/chair');
  await chair.waitForSelector('#quorum-state');
  assert.match(await chair.textContent('#quorum-state'), /Đủ số đại biểu/);
  await shot(chair, '02-chair-roster-quorum');
});

test('the chair opens the ballot; a delegate votes and gets a receipt that is in the record', async () => {
  await chair.click(`#open-${BALLOT}`);
  await chair.waitForSelector(`#close-${BALLOT}`);
  await thu.waitForSelector(`#ballot-${BALLOT} input[value="son-la"]`);
  // Cao Bằng cannot vote for itself: its own option is disabled.
  assert.equal(await thu.isDisabled(`#ballot-${BALLOT} input[value="cao-bang"]`), true);
  await shot(thu, '03-delegate-ballot');
  // Reviewing with nothing chosen is refused before anything is sent.
  await thu.click(`#review-${BALLOT}`);
  await thu.waitForSelector(`#ballot-${BALLOT} .error`);
  await thu.check(`#ballot-${BALLOT} input[value="son-la"]`);
  await thu.click(`#review-${BALLOT}`);
  await thu.waitForSelector(`#confirm-${BALLOT}`);
  assert.match(await thu.textContent(`#ballot-${BALLOT} .review-list`), /Sơn La/);
  // The encryption is fixed, and its tracking code shown, before the delegate decides.
  const checkedCode = (await thu.textContent('[data-testid="review-code"]')).replace(/\s/g, '');
  assert.match(checkedCode, /^[0-9a-f]{64}$/);
  await shot(thu, '04-delegate-review');

  // "Check this encryption": published with its choice, never cast; then a fresh ballot.
  await thu.click(`#check-${BALLOT}`);
  await thu.waitForSelector('[data-testid="checked-code"]', { timeout: 60000 });
  assert.equal((await thu.textContent('[data-testid="checked-code"]')).replace(/\s/g, ''), checkedCode);
  assert.match(await thu.textContent('[data-testid="checked-choices"]'), /Sơn La/);
  const command = (await thu.textContent('[data-testid="checked-command"]')).trim();
  assert.equal(command, `phieu spoiled ${checkedCode.slice(0, 16)}`);
  assert.equal(await thu.$(`#confirm-${BALLOT}`), null, 'a checked ballot cannot be cast');
  await shot(thu, '04b-delegate-checked');
  // A second device (the chair's laptop) finds it on the board and reads the same choice.
  const second = execFileSync(env.PHIEU, ['spoiled', checkedCode.slice(0, 16), '--profile', env.CHAIR_PROFILE]).toString();
  assert.match(second, /Sơn La/);
  assert.equal(spoiledOf(record(), 'cao-bang').length, 1);
  assert.equal(ballotsOf(record(), 'cao-bang').length, 0, 'checking cast nothing');

  await thu.click(`#fresh-${BALLOT}`);
  await thu.waitForSelector(`#review-${BALLOT}`);
  assert.equal(await thu.isChecked(`#ballot-${BALLOT} input[value="son-la"]`), true, 'the choice is kept');
  await thu.click(`#review-${BALLOT}`);
  await thu.waitForSelector(`#confirm-${BALLOT}`);
  const castCode = (await thu.textContent('[data-testid="review-code"]')).replace(/\s/g, '');
  assert.notEqual(castCode, checkedCode, 'a fresh encryption');
  await thu.click(`#confirm-${BALLOT}`);
  const code = (await thu.textContent('[data-testid="tracking-code"]', { timeout: 60000 })).replace(/\s/g, '');
  assert.equal(code, castCode, 'the ballot cast is the encryption shown');
  await shot(thu, '05-delegate-receipt');

  // My receipts lists it, found on the chain.
  await thu.click('nav a[href="#/receipts"]');
  await thu.waitForSelector('table.grid');
  assert.ok((await thu.textContent('table.grid')).replace(/\s/g, '').includes(code));
  assert.match(await thu.textContent('table.grid'), /Đã ghi vào chuỗi/);
  await shot(thu, '06-my-receipts');

  // The election record, as `phieu record export` fetches it, holds that ballot once.
  await thu.click('nav a[href="#/delegate"]');
  await thu.waitForSelector('[data-testid="receipt-seq"]');
  await receiptInRecord(thu, 'cao-bang');
});

test('a reload mid-vote never makes a second ballot', async () => {
  await langson.waitForSelector(`#ballot-${BALLOT} input[value="son-la"]`);
  // A prepared ballot abandoned by a reload is never cast: the page starts over.
  await langson.check(`#ballot-${BALLOT} input[value="son-la"]`);
  await langson.click(`#review-${BALLOT}`);
  await langson.waitForSelector(`#confirm-${BALLOT}`);
  await langson.reload();
  await langson.waitForSelector(`#review-${BALLOT}`);
  assert.equal(await langson.$(`#confirm-${BALLOT}`), null);
  assert.equal(ballotsOf(record(), 'lang-son').length, 0, 'the abandoned ballot was not cast');

  await langson.check(`#ballot-${BALLOT} input[value="son-la"]`);
  await langson.click(`#review-${BALLOT}`);
  await langson.click(`#confirm-${BALLOT}`);
  await langson.reload();  // while the ballot is being encrypted and sent
  await langson.waitForSelector('#meeting-title strong');
  // Afterwards the page offers the receipt (or the stored ballot to resend), never a fresh ballot.
  await langson.waitForSelector(`[data-testid="tracking-code"], #resend-${BALLOT}`, { timeout: 60000 });
  if (await langson.$(`#resend-${BALLOT}`)) {
    await langson.click(`#resend-${BALLOT}`);
    await langson.waitForSelector('[data-testid="tracking-code"]', { timeout: 60000 });
  }
  const code = (await langson.textContent('[data-testid="tracking-code"]')).replace(/\s/g, '');
  await langson.reload();
  await langson.waitForSelector('[data-testid="tracking-code"]');
  assert.equal((await langson.textContent('[data-testid="tracking-code"]')).replace(/\s/g, ''), code);
  assert.equal(await langson.$(`#review-${BALLOT}`), null, 'no second ballot is offered');
  await shot(langson, '07-after-reload-receipt');
  await receiptInRecord(langson, 'lang-son');
});

test('voting with the keyboard alone', async () => {
  await chair.goto(chair.url().split('#')[0] + '#/delegate');
  await chair.waitForSelector(`#review-${BALLOT}`);
  await chair.focus('#main');
  let chosen = null;
  for (let i = 0; i < 40 && !chosen; i++) {
    await chair.keyboard.press('Tab');
    chosen = await chair.evaluate(() => {
      const el = document.activeElement;
      return el && el.type === 'radio' && !el.disabled ? el.value : null;
    });
  }
  assert.ok(chosen, 'Tab reaches an option of the ballot');
  await chair.keyboard.press('Space');
  await chair.keyboard.press('Tab');
  assert.equal(await chair.evaluate(() => document.activeElement.id), `review-${BALLOT}`);
  await chair.keyboard.press('Enter');
  await chair.waitForSelector(`#confirm-${BALLOT}`);
  assert.equal(await chair.evaluate(() => document.activeElement.id), `confirm-${BALLOT}`);
  await shot(chair, '08-keyboard-review');
  await chair.keyboard.press('Enter');
  await chair.waitForSelector('[data-testid="tracking-code"]', { timeout: 60000 });
  await receiptInRecord(chair, 'son-la');
});

test('the projector shows turnout; the chair closes; the result and its minutes follow', async () => {
  projector = await chair.context().newPage();
  await projector.setViewportSize({ width: 1600, height: 900 });
  await projector.goto(chair.url().split('#')[0] + '#/projector');
  await projector.waitForSelector('[data-testid="projector-turnout"]');
  assert.match(await projector.textContent('[data-testid="projector-turnout"]'), /^3\//);
  await shot(projector, '09-projector-turnout');

  await chair.goto(chair.url().split('#')[0] + '#/chair');
  await chair.waitForSelector(`#close-${BALLOT}`);
  assert.match(await chair.textContent(`[data-testid="turnout-${BALLOT}"]`), /^3\//);
  await chair.click(`#close-${BALLOT}`);
  await chair.waitForSelector(`#minutes-${BALLOT}`, { timeout: 90000 });
  // Three ballots of seven members: the flag needs more than half of ALL members,
  // so the minutes may well say no one is elected; the chart shows the votes.
  assert.match(await chair.textContent(`#cb-${BALLOT} svg.chart`), /Sơn La/);
  await shot(chair, '10-chair-result');
  // The tally counts the three cast ballots; Cao Bằng's checked encryption is not among them.
  const rec = record();
  const tally = rec.bodies.find(e => e.body && e.body.tally).body.tally;
  const spoiled = spoiledOf(rec, 'cao-bang');
  assert.equal(spoiled.length, 1);
  assert.equal(tally.ballot_entries.length, 3);
  assert.ok(!tally.ballot_entries.includes(spoiled[0].hash), 'the spoiled ballot is never counted');

  await projector.waitForSelector('svg.chart', { timeout: 20000 });
  assert.match(await projector.textContent('.p-fp'), /[0-9a-f]{4} [0-9a-f]{4}/);
  await shot(projector, '11-projector-result');

  const minutes = await chair.context().request.get(new URL(chair.url()).origin + `/api/minutes?ballot=${BALLOT}&lang=vi`);
  assert.equal(minutes.status(), 200);
  assert.match(await minutes.text(), /BIÊN BẢN KIỂM PHIẾU/);
  const mp = await chair.context().newPage();
  await mp.goto(new URL(chair.url()).origin + `/api/minutes?ballot=${BALLOT}&lang=vi`);
  await shot(mp, '12-minutes');

  // English by the switch.
  await chair.click('#lang-en');
  await chair.waitForSelector(`#minutes-${BALLOT}`);
  assert.match(await chair.textContent('nav'), /Projector/);
  await shot(chair, '13-chair-result-en');
});

test('approve up to k holds in the page; a ballot closed meanwhile is told plainly; a second round in one step', async () => {
  const B = 'bang-khen';
  await chair.click('#lang-vi');
  await chair.click(`#open-${B}`);
  await chair.waitForSelector(`#close-${B}`);
  await thu.click('nav a[href="#/delegate"]');
  await thu.waitForSelector(`#ballot-${B} input[type=checkbox]`);
  const boxes = await thu.$$(`#ballot-${B} input[type=checkbox]:not([disabled])`);
  const k = 3;
  assert.ok(boxes.length > k);
  for (let i = 1; i <= k; i++) {
    await thu.click(`#ballot-${B} input[type=checkbox]:not([disabled]):not(:checked)`);
    await thu.waitForSelector(`#ballot-${B} .counter:has-text("${i}/${k}")`);
  }
  // With k chosen, every other option is disabled.
  assert.equal((await thu.$$(`#ballot-${B} input[type=checkbox]:not([disabled]):not(:checked)`)).length, 0);
  assert.match(await thu.textContent(`#ballot-${B} .counter`), /3\/3/);
  await shot(thu, '14-approve-limit');
  await thu.click(`#review-${B}`);
  await thu.click(`#confirm-${B}`);
  await thu.waitForSelector(`#ballot-${B} [data-testid="tracking-code"]`, { timeout: 60000 });

  await langson.waitForSelector(`#ballot-${B} input[type=checkbox]`);
  await langson.click(`#ballot-${B} input[type=checkbox]:not([disabled])`);
  await langson.waitForSelector(`#ballot-${B} .counter:has-text("1/3")`);
  await langson.click(`#review-${B}`);
  await langson.waitForSelector(`#confirm-${B}`);
  await chair.click(`#close-${B}`);
  await langson.waitForSelector(`#closed-${B}`, { timeout: 20000 });
  assert.match(await langson.textContent(`#closed-${B}`), /đã kết thúc bỏ phiếu/);
  await shot(langson, '15-closed-meanwhile');
  assert.equal(ballotsOf(record(), 'lang-son').length, 1, 'Lạng Sơn has its ballot of the first question only');

  // Second round in one step: the first question had no winner; the chair
  // opens round 2 among the candidates the result named.
  await chair.click(`#runoff-${BALLOT}`);
  await chair.waitForSelector(`#close-${BALLOT}`);
  assert.match(await chair.textContent(`#cb-${BALLOT}`), /Vòng 2/);
  await thu.waitForSelector(`#ballot-${BALLOT} input[type=radio]`);
  const offered = await thu.$$eval(`#ballot-${BALLOT} input[type=radio]`, els => els.map(e => e.value));
  assert.deepEqual(offered.sort(), ['_blank', 'cao-bang', 'son-la']);
  await shot(thu, '16-second-round');
});
