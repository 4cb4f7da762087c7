// A whole example meeting from the browser pages: started by meeting.sh,
// which runs the server, the tellers (`phieu teller run`) and one `phieu app`
// per person in the hall, and names them in APPS ("ID URL" per line). The
// meeting file's demo script (PLAN, `phieu demo plan`) says who votes what.
//
// The chair's page makes the tellers' key, sees the check-in and the quorum,
// records the proxy of the absent unit (ABSENT, carried by HOLDER), opens and
// closes every ballot, reads the result and the minutes, and closes the
// meeting; each delegate's page checks in and casts its scripted ballots (the
// holder's page casts two, one of them labelled "Bỏ phiếu thay cho …"); the
// projector shows turnout and the result. Every receipt is checked against the
// exported election record, every result against the choices made and the
// published outcome, and `phieu verify` checks the record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from './chromium.mjs';

const env = process.env;
const ABSENT = env.ABSENT || '';
const HOLDER = env.HOLDER || '';
const shot = (page, name) => page.screenshot({ path: path.join(env.SCREENSHOTS, name + '.png'), fullPage: true });
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

// The demo script: chair, tellers, delegates (id -> unit), ballots, votes, expected outcomes.
function readPlan() {
  const plan = { delegates: new Map(), ballots: [], votes: [], expect: new Map() };
  for (const line of readFileSync(env.PLAN, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'delegate') plan.delegates.set(f[1], f[2]);
    else if (f[0] === 'ballot') plan.ballots.push(f[1]);
    else if (f[0] === 'vote') plan.votes.push({ ballot: f[1], who: f[2], choices: f[3] === '-' ? [] : f[3].split(',') });
    else if (f[0] === 'expect') plan.expect.set(f[1], f[2] === '-' ? [] : f[2].split(','));
  }
  return plan;
}

const plan = readPlan();
const apps = new Map(readFileSync(env.APPS, 'utf8').trim().split('\n').map(l => l.split(' ')));
let browser;
const pages = new Map();  // participant id -> page
let chair, projector, phone;
let meetingState;         // the chair's /api/state, read once the key is made
const receipts = [];      // {ballot, unit, seq, hash} of every ballot cast through a page

const state = page => page.evaluate(() => fetch('/api/state').then(r => r.json()));
// Waits until the text of `sel` matches `want` (the pages' CSP forbids the
// eval that page.waitForFunction needs, so this polls from here).
async function waitText(page, sel, want, timeout = 45000) {
  const end = Date.now() + timeout;
  for (;;) {
    const el = await page.$(sel);
    const text = el ? (await el.textContent()).trim() : null;
    if (text !== null && (want instanceof RegExp ? want.test(text) : text === want)) return text;
    if (Date.now() > end) throw new Error(`${sel}: waited for ${want}, saw ${text}`);
    await page.waitForTimeout(250);
  }
}

const chairTab = async () => {
  if (!chair.url().endsWith('#/chair')) await chair.goto(chair.url().split('#')[0] + '#/chair');
  await chair.waitForSelector('#quorum-state');
};

before(async () => {
  browser = await launchChromium(60000);
  let i = 0;
  for (const [who, url] of apps) {
    // One browser context per profile (its own cookie); one delegate on a phone-sized screen.
    const viewport = i++ === 2 ? { width: 400, height: 860 } : { width: 1100, height: 860 };
    const context = await browser.newContext({ viewport, locale: 'vi-VN' });
    context.setDefaultTimeout(45000);
    const page = await context.newPage();
    page.on('dialog', d => d.accept());
    await page.goto(url);
    await page.waitForSelector('#meeting-title strong');
    pages.set(who, page);
    if (viewport.width < 500) phone = page;
  }
  chair = pages.get(env.CHAIR);
  assert.ok(chair, 'the chair has a page');
});

after(async () => {
  if (browser) await browser.close();
  console.log(`meeting test: ${elapsed()} in all`);
});

test('the chair makes the tellers\' joint key from the page', async () => {
  await chairTab();
  await chair.click('#ceremony');
  await chair.waitForSelector('#ceremony-state[data-state="done"]', { timeout: 150000 });
  projector = await chair.context().newPage();
  await projector.setViewportSize({ width: 1600, height: 900 });
  await projector.goto(chair.url().split('#')[0] + '#/projector');
  await projector.waitForSelector('.projector');
  meetingState = await state(chair);
  console.log(`key made: ${elapsed()}`);
});

test('delegates check in (one remotely); the chair sees the quorum', async () => {
  const delegates = [...pages.keys()].filter(who => plan.delegates.has(who));
  await Promise.all(delegates.map(async (who, i) => {
    const page = pages.get(who);
    await delegateTab(page);
    await page.click(i === 1 ? '#checkin-remote' : '#checkin');
    await page.waitForSelector('.pill.ok');
  }));
  await shot(pages.get(delegates[1]), 'm01-delegate-checked-in');
  await chairTab();
  await waitText(chair, '.big-num', new RegExp(`^${delegates.length}/`));
  assert.match(await chair.textContent('#quorum-state'), /Đủ số đại biểu/);
  const s = await state(chair);
  assert.equal(s.units.filter(u => u.present && u.remote).length, 1, 'one unit is present remotely');
});

test('the chair records the absent unit\'s proxy; the holder accepts it', { skip: !ABSENT }, async () => {
  await chairTab();
  await chair.selectOption('#proxy-unit', ABSENT);
  await chair.selectOption('#proxy-holder', HOLDER);
  await chair.click('#proxy-record');
  await chair.waitForSelector(`[data-testid="proxy-${ABSENT}"]`);
  // The holder accepts with the keyboard alone: Tab reaches the button, Enter presses it.
  const holder = pages.get(HOLDER);
  await holder.waitForSelector(`#accept-proxy-${ABSENT}`);
  await holder.focus('#main');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await holder.keyboard.press('Tab');
    reached = await holder.evaluate(id => document.activeElement && document.activeElement.id === id, `accept-proxy-${ABSENT}`);
  }
  assert.ok(reached, 'Tab reaches the accept button');
  await holder.keyboard.press('Enter');
  await holder.waitForSelector('[data-testid="proxy-accepted"]');
  // English by the switch, then back.
  await holder.click('#lang-en');
  assert.match(await holder.textContent('[data-testid="proxy-accepted"]'), /Proxy accepted/);
  await shot(holder, 'm02-holder-proxy-accepted-en');
  await holder.click('#lang-vi');
  await chair.waitForSelector(`[data-testid="proxy-${ABSENT}"] .badge`);
  await shot(chair, 'm02-chair-quorum-proxy');
});

// The page that casts each scripted vote, and the element key of its ballot card.
function caster(v) {
  const unit = plan.delegates.get(v.who);
  if (unit === ABSENT) return { page: pages.get(HOLDER), key: `${v.ballot}--${unit}`, unit };
  return { page: pages.get(v.who), key: v.ballot, unit };
}

// The delegate's tab (the chair votes from its own page too).
async function delegateTab(page) {
  if (!page.url().endsWith('#/delegate')) await page.goto(page.url().split('#')[0] + '#/delegate');
}

// Fills the card `key` with `choices` as the ballot's kind asks, reviews,
// confirms; screenshots the form and the review when `name` is given.
async function cast(page, b, key, choices, name) {
  const card = `#ballot-${key}`;
  await delegateTab(page);
  await page.waitForSelector(`#review-${key}`);
  if (b.kind === 'one') {
    await page.check(`${card} input[value="${choices.length ? choices[0] : '_blank'}"]`);
  } else if (b.kind === 'approve') {
    for (const c of choices) await page.check(`${card} input[value="${c}"]`);
  } else if (b.kind === 'rank') {
    for (let j = 0; j < choices.length; j++) await page.selectOption(`#r-${key}-${j}`, choices[j]);
  } else if (b.kind === 'yna') {
    for (let i = 0; i < choices.length; i++) await page.check(`#y-${key}-${i}-${choices[i]}`);
  }
  if (name) await shot(page, `${name}-form`);
  await page.click(`#review-${key}`);
  await page.waitForSelector(`#confirm-${key}`);
  if (name) await shot(page, `${name}-review`);
  await page.click(`#confirm-${key}`);
  await page.waitForSelector(`${card} [data-testid="tracking-code"]`, { timeout: 90000 });
  const seq = Number((await page.textContent(`${card} [data-testid="receipt-seq"]`)).replace(/\D/g, ''));
  const hash = (await page.textContent(`${card} [data-testid="receipt-hash"]`)).replace(/[^0-9a-f]/g, '');
  return { seq, hash };
}

// What the choices add up to, per candidate, as the result must show it.
function expectedCounts(b, ballots) {
  const n = new Map(b.run.candidates.map(c => [c.id, { votes: 0, no_votes: 0, abstain_votes: 0, rank_counts: [] }]));
  for (const choices of ballots) {
    if (b.kind === 'yna') {
      // One answer per item, in the order of the items the unit may answer.
      const items = b.run.candidates.map(c => c.id);
      choices.forEach((a, i) => { const x = n.get(items[i]); if (a === 'yes') x.votes++; else if (a === 'no') x.no_votes++; else x.abstain_votes++; });
    } else {
      choices.forEach((id, j) => {
        const x = n.get(id);
        if (b.kind === 'rank') x.rank_counts[j] = (x.rank_counts[j] || 0) + 1;
        else x.votes++;
      });
    }
  }
  return n;
}

function record() {
  const out = path.join(env.WORK, 'record.json');
  execFileSync(env.PHIEU, ['record', 'export', '--profile', env.CHAIR_PROFILE, '--out', out, '--json']);
  return JSON.parse(readFileSync(out, 'utf8'));
}

for (const [bi, ballotId] of plan.ballots.entries()) {
  test(`ballot ${ballotId}: opened, cast from every page, closed, counted as chosen`, async () => {
    const b0 = meetingState.ballots.find(b => b.id === ballotId);
    const votes = plan.votes.filter(v => v.ballot === ballotId);
    await chairTab();
    await chair.click(`#open-${ballotId}`);
    await chair.waitForSelector(`#close-${ballotId}`);

    // The holder's page shows its own ballot and the absent unit's, each labelled.
    if (ABSENT && votes.some(v => plan.delegates.get(v.who) === ABSENT)) {
      const holder = pages.get(HOLDER);
      await holder.waitForSelector(`#ballot-${ballotId}--${ABSENT} [data-testid="casts-for"]`);
      assert.match(await holder.textContent(`#ballot-${ballotId}--${ABSENT} [data-testid="casts-for"]`), /Bỏ phiếu thay cho/);
      assert.match(await holder.textContent(`#ballot-${ballotId} [data-testid="casts-for"]`), /Phiếu của/);
      if (bi === 0) await shot(holder, 'm03-holder-two-ballots');
    }
    if (b0.kind === 'rank') {
      // The rank form holds its rules before anything is sent: a gap is refused
      // and a unit already ranked cannot be chosen again; the C++ side refuses
      // a ballot that breaks them too (422, nothing cast).
      const v = votes.find(x => x.choices.length >= 2 && caster(x).key === ballotId);
      const { page, key } = caster(v);
      await delegateTab(page);
      await page.waitForSelector(`#r-${key}-1`);
      await page.selectOption(`#r-${key}-1`, v.choices[1]);
      await page.click(`#review-${key}`);
      await page.waitForSelector(`#ballot-${key} .error`);
      await page.selectOption(`#r-${key}-0`, v.choices[0]);
      assert.equal(await page.$eval(`#r-${key}-2 option[value="${v.choices[0]}"]`, o => o.disabled), true, 'a ranked unit cannot be ranked twice');
      await shot(page, 'm04-rank-form');
      const s = await state(page);
      const run = s.ballots.find(b => b.id === ballotId).run;
      const bad = await page.evaluate(body => fetch('/api/prepare', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
        .then(r => r.status), { ballot: ballotId, run: run.id, choices: [v.choices[0], v.choices[0], v.choices[1]] });
      assert.equal(bad, 422, 'the phieu process refuses to encrypt a unit ranked twice');
      await page.selectOption(`#r-${key}-1`, '');
    }

    // Every page casts its scripted ballots at once; a page with two casts them in turn.
    const byPage = new Map();
    for (const v of votes) {
      const c = caster(v);
      if (!byPage.has(c.page)) byPage.set(c.page, []);
      byPage.get(c.page).push({ ...c, choices: v.choices });
    }
    await Promise.all([...byPage].map(async ([page, list], p) => {
      for (const c of list) {
        const name = p === 0 || page === phone ? `m04-${ballotId}-${c.unit}` : '';
        receipts.push({ ballot: ballotId, unit: c.unit, ...await cast(page, b0, c.key, c.choices, name) });
      }
    }));
    console.log(`${ballotId}: ${votes.length} ballots cast: ${elapsed()}`);

    // Turnout only while open, on the chair's page and the projector.
    await chairTab();
    await waitText(chair, `[data-testid="turnout-${ballotId}"]`, `${votes.length}/${votes.length}`);
    await waitText(projector, '[data-testid="projector-turnout"]', `${votes.length}/${votes.length}`);
    if (bi === 0) await shot(projector, 'm05-projector-turnout');

    await chair.click(`#close-${ballotId}`);
    await chair.waitForSelector(`#minutes-${ballotId}`, { timeout: 150000 });
    console.log(`${ballotId}: result: ${elapsed()}`);
    const b = (await state(chair)).ballots.find(x => x.id === ballotId);
    const result = b.run.result;
    assert.ok(result && !result.error, 'the result is published');

    // The result adds up the choices made in the pages.
    const want = expectedCounts(b, votes.map(v => v.choices));
    for (const c of result.candidates) {
      const w = want.get(c.id);
      if (b.kind === 'rank') {
        for (let j = 0; j < b.ranks; j++) assert.equal(c.rank_counts[j] || 0, w.rank_counts[j] || 0, `${c.id}: rank ${j + 1}`);
      } else {
        assert.equal(c.votes, w.votes, `${c.id}: votes`);
        assert.equal(c.no_votes, w.no_votes, `${c.id}: no`);
        assert.equal(c.abstain_votes, w.abstain_votes, `${c.id}: abstain`);
      }
    }
    assert.equal(result.counts.received_units, votes.length);
    // ...and, where the meeting published one, reproduces its outcome.
    if (plan.expect.has(ballotId)) {
      const elected = result.candidates.filter(c => c.standing === 'elected').map(c => c.id).sort();
      assert.deepEqual(elected, [...plan.expect.get(ballotId)].sort(), 'the published outcome');
    }
    await shot(chair, `m06-chair-result-${ballotId}`);
    await projector.waitForSelector('svg.chart');
    await waitText(projector, '.p-q', new RegExp('^' + b.question.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await shot(projector, `m07-projector-result-${ballotId}`);
    const minutes = await chair.context().newPage();
    await minutes.goto(new URL(chair.url()).origin + `/api/minutes?ballot=${ballotId}&lang=vi`);
    assert.match(await minutes.textContent('body'), /BIÊN BẢN KIỂM PHIẾU/);
    if (bi === 0) await shot(minutes, `m08-minutes-${ballotId}`);
    await minutes.close();
  });
}

test('every receipt is in the election record; the chair closes the meeting; phieu verify passes', async () => {
  const rec = record();
  for (const r of receipts) {
    const e = rec.bodies.find(x => Number(x.seq) === r.seq);
    assert.ok(e && e.body && e.body.ballot, `entry #${r.seq} is a ballot`);
    assert.equal(e.body.ballot.unit_id, r.unit, `entry #${r.seq} is ${r.unit}'s ballot`);
    assert.ok(e.hash.startsWith(r.hash) && r.hash.length >= 16, `entry #${r.seq} has the receipt's hash`);
  }
  const cast = plan.votes.length;
  assert.equal(receipts.length, cast);
  assert.equal(rec.bodies.filter(x => x.body && x.body.ballot).length, cast, 'no ballot but those cast through the pages');

  await chairTab();
  await chair.click('#close-meeting');
  await chair.waitForSelector('#meeting-closed, #banner .flash.err');
  assert.equal(await chair.$('#banner .flash.err'), null, await chair.textContent('#banner'));
  await shot(chair, 'm09-chair-meeting-closed');
  const out = path.join(env.WORK, 'record.pb');
  execFileSync(env.PHIEU, ['record', 'export', '--profile', env.CHAIR_PROFILE, '--out', out]);
  // Throws (and fails the test) unless phieu verify exits 0.
  execFileSync(env.PHIEU, ['verify', out, '--ca', env.CA, '--quiet'], { stdio: 'inherit' });
  console.log(`meeting verified: ${elapsed()}`);
});
