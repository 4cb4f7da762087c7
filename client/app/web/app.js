// Phiếu — the meeting app's page. Plain JS, no framework, no network but
// this page's own origin. The page never holds a key: it shows JSON views of
// the board (/api/state) and posts choices (candidate ids) to /api/ACTION;
// encryption, signing and the TLS connection stay in the phieu process.
'use strict';

const T = {
  vi: {
    skip: 'Bỏ qua đến nội dung', delegate: 'Đại biểu', chair: 'Chủ trì', projector: 'Màn chiếu',
    receipts: 'Biên nhận của tôi', loading: 'Đang tải…',
    offline: 'Mất kết nối tới máy chủ hội nghị — đang thử kết nối lại…',
    you: 'Bạn', delegateOf: 'đại biểu', checkin: 'Điểm danh', checkinRemote: 'Điểm danh trực tuyến',
    checkedIn: 'Đã điểm danh — có mặt', notCheckedIn: 'Bạn chưa điểm danh. Hãy điểm danh để được bỏ phiếu.',
    noOpen: 'Chưa có phiếu nào đang mở. Trang sẽ tự cập nhật khi chủ trì mở bỏ phiếu.',
    open: 'Đang bỏ phiếu', closed: 'Đã kết thúc bỏ phiếu', decrypting: 'Ban kiểm phiếu đang kiểm phiếu',
    result: 'Đã có kết quả', cancelled: 'Đã hủy', notOpened: 'Chưa mở',
    round: 'Vòng', blank: 'Phiếu trắng', noneIsBlank: 'không chọn ai là phiếu trắng', selfBar: 'không được tự bầu',
    kindOne: n => `Bầu một: chọn 1 trong ${n}`,
    kindApprove: (k, n) => `Bầu ${k} trong ${n}: chọn tối đa ${k}`,
    kindRank: r => `Suy tôn: chọn theo thứ tự Nhất, Nhì, Ba… (${r} hạng)`,
    kindYna: 'Biểu quyết từng nội dung: đồng ý / không đồng ý / không ý kiến',
    chosen: (a, k) => `Đã chọn ${a}/${k}`,
    rankName: j => ['Nhất', 'Nhì', 'Ba', 'Tư', 'Năm'][j] || `Hạng ${j + 1}`,
    rankNone: '— không chọn —',
    yes: 'Đồng ý', no: 'Không đồng ý', abstain: 'Không ý kiến',
    review: 'Xem lại phiếu', confirm: 'Bỏ phiếu này',
    sending: 'Đang mã hóa và gửi phiếu…',
    voted: 'Đã bỏ phiếu', receipt: 'Biên nhận', tracking: 'Mã theo dõi phiếu', position: 'Vị trí trong chuỗi',
    head: 'Đầu chuỗi', keep: 'Hãy ghi lại mã theo dõi phiếu để tự kiểm tra phiếu của mình trong biên bản điện tử.',
    resend: 'Gửi lại phiếu đã lưu',
    storedNote: 'Phiếu của bạn đã được lưu trên máy nhưng chưa có biên nhận. Gửi lại không bao giờ tạo phiếu thứ hai.',
    errTooMany: k => `Chỉ được chọn tối đa ${k}.`, errNone: 'Phiếu này không được để trắng: hãy chọn.',
    errRankGap: 'Hạng phải liền nhau: chọn Nhất trước, rồi Nhì, rồi Ba.',
    errRankTwice: 'Một ứng cử viên chỉ được xếp một hạng.',
    errRankFull: u => `Phải xếp đủ ${u} hạng (hoặc bỏ phiếu trắng).`,
    errItem: 'Hãy chọn đồng ý, không đồng ý hoặc không ý kiến cho từng nội dung (hoặc để trắng cả phiếu).',
    errClosed: 'Phiếu này đã kết thúc bỏ phiếu trước khi phiếu của bạn được gửi — phiếu chưa được tính.',
    errOffline: 'Mất kết nối khi đang gửi. Phiếu đã được lưu trên máy: bấm “Gửi lại phiếu đã lưu”. Phiếu không bao giờ bị tính hai lần.',
    myReceipts: 'Biên nhận của tôi', noReceipts: 'Chưa có biên nhận nào.',
    question: 'Nội dung', status: 'Trạng thái',
    st_on_board: 'Đã ghi vào chuỗi', st_in_tally: 'Đã vào tổng kiểm phiếu', st_counted: 'Đã được kiểm',
    st_pending: 'Chưa thấy trên chuỗi', st_missing: 'KHÔNG thấy trên chuỗi — báo Ban kiểm phiếu',
    quorum: 'Số đại biểu có mặt', quorumMet: 'Đủ số đại biểu theo quy định', quorumNot: 'Chưa đủ số đại biểu',
    units: 'đơn vị', votes: 'phiếu', needed: 'cần', present: 'Có mặt', absent: 'Vắng mặt',
    remote: 'trực tuyến', byChair: 'chủ trì điểm danh hộ', proxy: 'ủy quyền cho',
    roster: 'Danh sách đơn vị thành viên', unit: 'Đơn vị', delegateCol: 'Đại biểu', weight: 'Số phiếu',
    checkinFor: 'Điểm danh hộ', ceremony: 'Khóa chung của Ban kiểm phiếu',
    ceremonyNone: 'Chưa lập', ceremonyRunning: 'Đang lập', ceremonyDone: 'Đã lập',
    ceremonyStart: 'Bắt đầu lập khóa chung',
    ceremonyOf: (n, t) => `${n} thành viên Ban kiểm phiếu; cần ${t} người để giải mã kết quả`, ballots: 'Các phiếu', openBallot: 'Mở bỏ phiếu',
    closeBallot: 'Kết thúc bỏ phiếu', runoff: 'Bầu lại vòng hai', minutes: 'Biên bản kiểm phiếu',
    turnout: 'Đã bỏ phiếu', tellers: 'Ban kiểm phiếu', tallied: 'Đã cộng phiếu mã hóa',
    shares: (n, t) => `${n}/${t} thành viên đã giải mã`, cosigned: (n, t) => `${n}/${t} đã ký xác nhận`,
    elected: 'Trúng cử / được thông qua', noWinner: 'Không có người trúng cử',
    runoffAmong: 'Bầu lại giữa', confirmClose: 'Kết thúc bỏ phiếu cho nội dung này?',
    chainHead: 'Đầu chuỗi', signature: 'Dấu vân tay chữ ký', serverKey: 'Khóa máy chủ',
    waitingOpen: 'Chờ chủ trì mở bỏ phiếu', share: 'Tỷ lệ cần đạt',
    points: 'điểm', yesShort: 'đồng ý', noShort: 'không đồng ý', abstainShort: 'không ý kiến',
    done: 'Xong', refused: 'Không thực hiện được',
  },
  en: {
    skip: 'Skip to content', delegate: 'Delegate', chair: 'Chair', projector: 'Projector',
    receipts: 'My receipts', loading: 'Loading…',
    offline: 'Lost the connection to the meeting server — reconnecting…',
    you: 'You', delegateOf: 'delegate of', checkin: 'Check in', checkinRemote: 'Check in remotely',
    checkedIn: 'Checked in — present', notCheckedIn: 'You have not checked in yet. Check in to vote.',
    noOpen: 'No ballot is open. This page updates by itself when the chair opens one.',
    open: 'Voting open', closed: 'Voting closed', decrypting: 'The tellers are counting',
    result: 'Result published', cancelled: 'Cancelled', notOpened: 'Not opened',
    round: 'Round', blank: 'Blank ballot', noneIsBlank: 'choosing no one casts a blank ballot', selfBar: 'cannot vote for itself',
    kindOne: n => `Elect one: choose 1 of ${n}`,
    kindApprove: (k, n) => `Elect ${k} of ${n}: choose up to ${k}`,
    kindRank: r => `Rank: first, second, third… (${r} ranks)`,
    kindYna: 'Vote on each item: agree / disagree / abstain',
    chosen: (a, k) => `Chosen ${a}/${k}`,
    rankName: j => ['First', 'Second', 'Third', 'Fourth', 'Fifth'][j] || `Rank ${j + 1}`,
    rankNone: '— none —',
    yes: 'Agree', no: 'Disagree', abstain: 'Abstain',
    review: 'Review my ballot', confirm: 'Cast this ballot',
    sending: 'Encrypting and sending the ballot…',
    voted: 'Ballot cast', receipt: 'Receipt', tracking: 'Tracking code', position: 'Position in the chain',
    head: 'Chain head', keep: 'Note the tracking code: you can find your ballot in the election record with it.',
    resend: 'Resend the stored ballot',
    storedNote: 'Your ballot is stored on this laptop but has no receipt yet. Resending never makes a second ballot.',
    errTooMany: k => `Choose at most ${k}.`, errNone: 'This ballot cannot be blank: make a choice.',
    errRankGap: 'Ranks must follow each other: first, then second, then third.',
    errRankTwice: 'A candidate can be given only one rank.',
    errRankFull: u => `Give all ${u} ranks (or cast a blank ballot).`,
    errItem: 'Choose agree, disagree or abstain for every item (or leave the whole ballot blank).',
    errClosed: 'This ballot was closed before your ballot was sent — it was not counted.',
    errOffline: 'The connection dropped while sending. Your ballot is stored on this laptop: press “Resend the stored ballot”. It is never counted twice.',
    myReceipts: 'My receipts', noReceipts: 'No receipts yet.',
    question: 'Question', status: 'Status',
    st_on_board: 'On the chain', st_in_tally: 'In the tally', st_counted: 'Counted',
    st_pending: 'Not yet seen on the chain', st_missing: 'NOT on the chain — tell the tellers',
    quorum: 'Present', quorumMet: 'Quorum reached', quorumNot: 'No quorum yet',
    units: 'units', votes: 'votes', needed: 'needed', present: 'Present', absent: 'Absent',
    remote: 'remote', byChair: 'checked in by the chair', proxy: 'proxy to',
    roster: 'Member units', unit: 'Unit', delegateCol: 'Delegate', weight: 'Votes',
    checkinFor: 'Check in', ceremony: "Tellers' joint key",
    ceremonyNone: 'Not made', ceremonyRunning: 'In progress', ceremonyDone: 'Fixed',
    ceremonyStart: 'Start the key ceremony',
    ceremonyOf: (n, t) => `${n} tellers; any ${t} of them decrypt a result`, ballots: 'Ballots', openBallot: 'Open voting',
    closeBallot: 'Close voting', runoff: 'Second round', minutes: 'Counting minutes',
    turnout: 'Ballots cast', tellers: 'Tellers', tallied: 'Encrypted totals summed',
    shares: (n, t) => `${n}/${t} tellers decrypted`, cosigned: (n, t) => `${n}/${t} co-signed`,
    elected: 'Elected / passed', noWinner: 'No one elected',
    runoffAmong: 'Second round among', confirmClose: 'Close voting on this question?',
    chainHead: 'Chain head', signature: 'Signature fingerprint', serverKey: 'Server key',
    waitingOpen: 'Waiting for the chair to open voting', share: 'Share needed',
    points: 'points', yesShort: 'agree', noShort: 'disagree', abstainShort: 'abstain',
    done: 'Done', refused: 'Could not do that',
  },
};

// Texts of the review / cast-or-check step (reviewBox, checkedBox).
const T_REVIEW = {
  vi: {
    preparing: 'Đang mã hóa phiếu trên máy này…', sending: 'Đang gửi phiếu…',
    reviewTitle: 'Phiếu đã mã hóa — bỏ phiếu hay kiểm tra?',
    reviewNote: 'Phiếu đã được mã hóa trên máy này; mã theo dõi ở trên là của bản mã hóa này. Bỏ phiếu thì không sửa lại được.',
    codeOfThis: 'Mã theo dõi của bản mã hóa này',
    checkNote: 'Kiểm tra mã hóa: bản mã hóa này được công bố cùng lựa chọn, KHÔNG được đếm, và bạn bỏ một phiếu mới sau đó.',
    checkThis: 'Kiểm tra bản mã hóa này',
    back: 'Quay lại sửa',
    checkedTitle: 'Đã kiểm tra mã hóa — phiếu này không được bỏ',
    checkedSays: 'Bản mã hóa đã công bố ghi:',
    checkedEntry: n => `Đã công bố ở mục #${n} của chuỗi, không bao giờ được đếm.`,
    secondDevice: 'Trên một thiết bị thứ hai (máy của đại biểu khác, hoặc kiểm tra viên), chạy lệnh dưới đây: nó phải cho đúng lựa chọn trên. Nếu khác, đừng bỏ phiếu và báo ngay chủ trì và Ban kiểm phiếu.',
    fresh: 'Chuẩn bị phiếu mới',
    errGone: 'Phiếu đã chuẩn bị không còn (quá hạn hoặc đã thay); hãy xem lại phiếu.',
  },
  en: {
    preparing: 'Encrypting the ballot on this laptop…', sending: 'Sending the ballot…',
    reviewTitle: 'Ballot encrypted — cast it, or check it?',
    reviewNote: 'The ballot is encrypted on this laptop; the tracking code above is this encryption’s. Once cast it cannot be changed.',
    codeOfThis: 'Tracking code of this encryption',
    checkNote: 'Checking the encryption publishes it with its choices; it is NEVER counted, and you then cast a fresh ballot.',
    checkThis: 'Check this encryption',
    back: 'Back to change',
    checkedTitle: 'Encryption checked — this ballot is not cast',
    checkedSays: 'The published encryption says:',
    checkedEntry: n => `Published as entry #${n} of the chain, never counted.`,
    secondDevice: 'On a second device (another delegate’s laptop, or an auditor), run the command below: it must show the same choices. If it does not, do not vote and tell the chair and the tellers’ committee at once.',
    fresh: 'Prepare a fresh ballot',
    errGone: 'The prepared ballot is gone (expired or replaced); review the ballot again.',
  },
};
Object.assign(T.vi, T_REVIEW.vi);
Object.assign(T.en, T_REVIEW.en);

const ui = {
  lang: localStorage.getItem('phieu.lang') || 'vi',
  state: null,
  offline: false,
  vote: {},      // ballot id -> {run, step, one, many:Set, ranks:[], items:{}, error, receipt}
  flash: null,   // {kind:'ok'|'err', text}
  lastHtml: '',
};

const t = () => T[ui.lang];
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const route = () => (location.hash.replace(/^#\/?/, '') || 'delegate');
const group4 = code => String(code || '').replace(/(.{4})/g, '$1 ').trim();

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    return { ok: false, status: 0, data: { error: 'network', code: 'UNAVAILABLE' } };
  }
  let data = {};
  try { data = await res.json(); } catch (e) { data = { error: res.statusText }; }
  return { ok: res.ok, status: res.status, data };
}

async function refresh() {
  const r = await api('GET', '/api/state');
  if (r.ok) {
    ui.state = r.data;
    ui.offline = false;
  } else {
    ui.offline = true;
  }
  render();
}

// ---------------------------------------------------------------- choices

function voteOf(b) {
  const run = b.run;
  let v = ui.vote[b.id];
  if (!v || v.run !== run.id) {
    v = ui.vote[b.id] = { run: run.id, step: 'choose', one: '', many: [], ranks: [], items: {}, error: '', receipt: null };
  }
  return v;
}

function selectable(b) {
  const mine = b.run.mine[0] || {};
  return new Set(mine.selectable || []);
}

// The choices to send (candidate ids; RANK in rank order; YES_NO: yes/no/abstain per item),
// and the first rule they break, checked as the C++ side will check them again.
function choicesOf(b, v) {
  const L = t();
  const sel = [...selectable(b)];
  if (b.kind === 'one') {
    if (v.one === '_blank') return b.blank_ok ? { choices: [] } : { error: L.errNone };
    if (!v.one) return { error: L.errNone };
    return { choices: [v.one] };
  }
  if (b.kind === 'approve') {
    const c = sel.filter(id => v.many.includes(id));
    if (c.length > b.max) return { error: L.errTooMany(b.max) };
    if (!c.length && !b.blank_ok) return { error: L.errNone };
    return { choices: c };
  }
  if (b.kind === 'rank') {
    const r = Math.min(b.ranks, sel.length);
    const c = [];
    let gap = false;
    for (let j = 0; j < r; j++) {
      const id = v.ranks[j] || '';
      if (!id) { gap = true; continue; }
      if (gap) return { error: L.errRankGap };
      if (c.includes(id)) return { error: L.errRankTwice };
      c.push(id);
    }
    if (!c.length && !b.blank_ok) return { error: L.errNone };
    if (c.length && b.full_ranking && c.length < r) return { error: L.errRankFull(r) };
    return { choices: c };
  }
  if (b.kind === 'yna') {
    const answered = sel.filter(id => v.items[id]);
    if (!answered.length && b.blank_ok) return { choices: [] };
    if (answered.length !== sel.length) return { error: L.errItem };
    return { choices: sel.map(id => v.items[id]) };
  }
  return { error: 'unknown ballot kind' };
}

function nameOf(b, id) {
  const c = b.run.candidates.find(x => x.id === id);
  return c ? c.name : id;
}

function describe(b, choices) {
  const L = t();
  if (!choices.length) return `<li>${esc(L.blank)}</li>`;
  const sel = [...selectable(b)];
  return choices.map((c, i) => {
    if (b.kind === 'yna') return `<li>${esc(nameOf(b, sel[i]))}: <strong>${esc(L[c])}</strong></li>`;
    if (b.kind === 'rank') return `<li><strong>${esc(L.rankName(i))}:</strong> ${esc(nameOf(b, c))}</li>`;
    return `<li>${esc(nameOf(b, c))}</li>`;
  }).join('');
}

// ---------------------------------------------------------------- pages

function kindLine(b) {
  const L = t();
  const n = b.run ? b.run.candidates.length : b.candidates;
  if (b.kind === 'one') return L.kindOne(n);
  if (b.kind === 'approve') return L.kindApprove(b.max, n);
  if (b.kind === 'rank') return L.kindRank(b.ranks);
  return L.kindYna;
}

function question(b) {
  return ui.lang === 'en' && b.question_en ? b.question_en : b.question;
}

function stateLabel(b) {
  const L = t();
  if (!b.run) return L.notOpened;
  return L[b.run.state] || b.run.state;
}

function badge(b) {
  const s = b.run ? b.run.state : 'none';
  return `<span class="badge st-${esc(s)}">${esc(stateLabel(b))}${b.run && b.run.round > 1 ? ` · ${esc(t().round)} ${b.run.round}` : ''}</span>`;
}

function receiptBox(r) {
  const L = t();
  return `<div class="receipt" role="group" aria-labelledby="rc-${esc(r.tracking_code)}">
    <h3 id="rc-${esc(r.tracking_code)}">✓ ${esc(L.voted)} — ${esc(L.receipt)}</h3>
    <dl>
      <dt>${esc(L.tracking)}</dt><dd class="code" data-testid="tracking-code">${esc(group4(r.tracking_code))}</dd>
      <dt>${esc(L.position)}</dt><dd data-testid="receipt-seq">#${esc(r.seq)}</dd>
      <dt>${esc(L.head)}</dt><dd class="mono small" data-testid="receipt-hash">${esc(String(r.entry_hash).slice(0, 32))}…</dd>
    </dl>
    <p class="hint">${esc(L.keep)}</p>
  </div>`;
}

function chooseForm(b, v) {
  const L = t();
  const sel = selectable(b);
  const unit = (b.run.mine[0] || {}).unit || '';
  const cands = b.run.candidates;
  let body = '';
  if (b.kind === 'one' || b.kind === 'approve') {
    const type = b.kind === 'one' ? 'radio' : 'checkbox';
    body += cands.map((c, i) => {
      const ok = sel.has(c.id);
      const checked = b.kind === 'one' ? v.one === c.id : v.many.includes(c.id);
      const full = b.kind === 'approve' && !checked && v.many.length >= b.max;
      return `<label class="opt ${ok ? '' : 'barred'}"><input type="${type}" name="c-${esc(b.id)}" id="c-${esc(b.id)}-${i}"
        value="${esc(c.id)}" data-ballot="${esc(b.id)}" data-role="${b.kind}" ${checked ? 'checked' : ''} ${ok && !full ? '' : 'disabled'}>
        <span>${esc(c.name)}${ok ? '' : ` <em>(${esc(L.selfBar)})</em>`}</span></label>`;
    }).join('');
    if (b.kind === 'one' && b.blank_ok) {
      body += `<label class="opt blank"><input type="radio" name="c-${esc(b.id)}" id="c-${esc(b.id)}-blank" value="_blank"
        data-ballot="${esc(b.id)}" data-role="one" ${v.one === '_blank' ? 'checked' : ''}><span>${esc(L.blank)}</span></label>`;
    }
    if (b.kind === 'approve') body += `<p class="counter" aria-live="polite">${esc(L.chosen(v.many.length, b.max))}${b.blank_ok ? ` · ${esc(L.noneIsBlank)}` : ''}</p>`;
  } else if (b.kind === 'rank') {
    const r = Math.min(b.ranks, sel.size);
    for (let j = 0; j < r; j++) {
      const opts = [`<option value="">${esc(L.rankNone)}</option>`].concat(
        cands.filter(c => sel.has(c.id)).map(c => `<option value="${esc(c.id)}" ${v.ranks[j] === c.id ? 'selected' : ''}>${esc(c.name)}</option>`));
      body += `<div class="rank-row"><label for="r-${esc(b.id)}-${j}">${esc(L.rankName(j))}</label>
        <select id="r-${esc(b.id)}-${j}" data-ballot="${esc(b.id)}" data-role="rank" data-rank="${j}">${opts.join('')}</select></div>`;
    }
    const barred = cands.filter(c => !sel.has(c.id));
    if (barred.length) body += `<p class="hint">${barred.map(c => esc(c.name)).join(', ')} (${esc(L.selfBar)})</p>`;
  } else if (b.kind === 'yna') {
    body += cands.filter(c => sel.has(c.id)).map((c, i) => `<fieldset class="item"><legend>${esc(c.name)}</legend>
      ${['yes', 'no', 'abstain'].map(o => `<label class="opt inline"><input type="radio" name="y-${esc(b.id)}-${i}" id="y-${esc(b.id)}-${i}-${o}"
        value="${o}" data-ballot="${esc(b.id)}" data-role="yna" data-item="${esc(c.id)}" ${v.items[c.id] === o ? 'checked' : ''}>
        <span>${esc(L[o])}</span></label>`).join('')}</fieldset>`).join('');
  }
  return `<fieldset class="choices"><legend class="sr">${esc(question(b))}</legend>${body}</fieldset>
    ${v.error ? `<p class="error" role="alert">${esc(v.error)}</p>` : ''}
    <div class="actions"><button type="button" class="primary" id="review-${esc(b.id)}" data-act="review" data-ballot="${esc(b.id)}" data-unit="${esc(unit)}">${esc(L.review)}</button></div>`;
}

function ballotCard(b) {
  const L = t();
  const v = voteOf(b);
  const mine = b.run.mine[0];
  let inner = '';
  if (!mine) {
    inner = '';
  } else if (v.receipt) {
    inner = receiptBox(v.receipt);
  } else if (mine.voted && mine.receipt) {
    inner = receiptBox(mine.receipt);
  } else if (!mine.may_vote) {
    inner = `<p class="notice">${esc(mine.why_not || '')}</p>`;
  } else if (v.step === 'sending') {
    inner = `<p class="notice busy" role="status">${esc(L.sending)}</p>`;
  } else if (mine.stored || v.step === 'resend') {
    inner = `<p class="notice">${esc(L.storedNote)}</p>
      ${v.error ? `<p class="error" role="alert">${esc(v.error)}</p>` : ''}
      <div class="actions"><button type="button" class="primary" id="resend-${esc(b.id)}" data-act="resend" data-ballot="${esc(b.id)}">${esc(L.resend)}</button></div>`;
  } else if (v.step === 'preparing') {
    inner = `<p class="notice busy" role="status">${esc(L.preparing)}</p>`;
  } else if (v.step === 'review' && v.prepared) {
    inner = reviewBox(b, v);
  } else if (v.step === 'checked' && v.checked) {
    inner = checkedBox(b, v);
  } else {
    inner = chooseForm(b, v);
  }
  return `<article class="card ballot" id="ballot-${esc(b.id)}" aria-labelledby="q-${esc(b.id)}">
    <div class="card-head">${badge(b)}${b.award ? `<span class="award">${esc(b.award)}</span>` : ''}</div>
    <h2 id="q-${esc(b.id)}">${esc(question(b))}</h2>
    <p class="kind">${esc(kindLine(b))}</p>
    ${inner}
  </article>`;
}

function delegatePage(s) {
  const L = t();
  let html = '';
  if (s.me.delegate) {
    html += s.me.checked_in
      ? `<p class="pill ok">✓ ${esc(L.checkedIn)} — ${esc(s.me.unit_name)}</p>`
      : `<div class="card"><p>${esc(L.notCheckedIn)}</p><div class="actions">
          <button type="button" class="primary" id="checkin" data-act="checkin">${esc(L.checkin)}</button>
          <button type="button" id="checkin-remote" data-act="checkin" data-remote="1">${esc(L.checkinRemote)}</button></div></div>`;
  }
  const open = s.ballots.filter(b => b.run && b.run.state === 'open' && b.run.mine.length);
  const doneHere = s.ballots.filter(b => b.run && ui.vote[b.id] && ui.vote[b.id].receipt && b.run.state !== 'open');
  if (!open.length) html += `<p class="empty">${esc(L.noOpen)}</p>`;
  html += open.map(ballotCard).join('');
  for (const b of doneHere) {
    html += `<article class="card ballot"><div class="card-head">${badge(b)}</div><h2>${esc(question(b))}</h2>${receiptBox(ui.vote[b.id].receipt)}</article>`;
  }
  // A ballot the delegate was filling in (or sending) that the chair closed meanwhile.
  for (const b of s.ballots) {
    const v = ui.vote[b.id];
    const voted = b.run && b.run.mine.some(m => m.voted);
    if (v && !v.receipt && !voted && (v.closedError || v.touched) && !(b.run && b.run.state === 'open')) {
      html += `<p class="error" role="alert" id="closed-${esc(b.id)}">${esc(question(b))}: ${esc(L.errClosed)}</p>`;
    }
  }
  html += `<section class="card"><h2>${esc(L.ballots)}</h2><ul class="plain">${s.ballots.map(b =>
    `<li>${badge(b)} ${esc(question(b))}${b.run && b.run.state === 'result' ? ` — <a href="/api/minutes?ballot=${encodeURIComponent(b.id)}&lang=${ui.lang}" target="_blank" rel="noopener">${esc(L.minutes)}</a>` : ''}</li>`).join('')}</ul></section>`;
  return html;
}

function receiptsPage(s) {
  const L = t();
  if (!s.receipts.length) return `<h1>${esc(L.myReceipts)}</h1><p class="empty">${esc(L.noReceipts)}</p>`;
  return `<h1>${esc(L.myReceipts)}</h1><div class="card"><table class="grid"><thead><tr><th scope="col">${esc(L.question)}</th>
    <th scope="col">${esc(L.round)}</th><th scope="col">${esc(L.tracking)}</th><th scope="col">${esc(L.position)}</th><th scope="col">${esc(L.status)}</th></tr></thead>
    <tbody>${s.receipts.map(r => `<tr><td>${esc(r.question)}</td><td>${esc(r.round)}</td><td class="mono">${esc(group4(r.tracking_code))}</td>
    <td>#${esc(r.seq)}</td><td><span class="badge rs-${esc(r.status)}">${esc(L['st_' + r.status] || r.status)}</span></td></tr>`).join('')}</tbody></table></div>`;
}

function bar(n, d) {
  const pct = d ? Math.round(100 * n / d) : 0;
  return `<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="${d}" aria-valuenow="${n}">
    <svg viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true"><rect width="100" height="4" class="track"></rect><rect width="${pct}" height="4" class="fill"></rect></svg></div>`;
}

function resultSummary(b, big) {
  const L = t();
  const r = b.run.result;
  if (!r) return '';
  if (r.error) return `<p class="error">${esc(r.error)}</p>`;
  const elected = r.elected.length ? r.elected.map(esc).join(', ') : esc(L.noWinner);
  let html = `<p class="elected ${big ? 'big' : ''} ${r.elected.length ? '' : 'none'}"><span>${esc(L.elected)}:</span> <strong>${elected}</strong></p>`;
  html += chart(b, big);
  const notes = ui.lang === 'en' ? r.notes_en : r.notes_vi;
  if (notes.length) html += `<ul class="notes">${notes.map(n => `<li>${esc(n)}</li>`).join('')}</ul>`;
  return html;
}

// The result as an SVG bar chart: one bar per candidate (RANK: points; YES/NO: agree share).
function chart(b, big) {
  const L = t();
  const r = b.run.result;
  const rows = r.candidates.map(c => {
    let value = c.votes, label = `${c.votes} ${L.votes}`;
    if (b.kind === 'rank') { value = c.points; label = `${c.points} ${L.points}`; }
    if (b.kind === 'yna') label = `${c.votes} ${L.yesShort} · ${c.no_votes} ${L.noShort} · ${c.abstain_votes} ${L.abstainShort}`;
    return { name: c.name, value, label, won: c.standing === 'elected', tied: c.standing === 'tied' };
  });
  const max = Math.max(1, ...rows.map(x => x.value));
  const rowH = big ? 64 : 34, W = 900, nameW = big ? 300 : 260, barW = W - nameW - (big ? 250 : 200);
  const fs = big ? 26 : 15;
  const H = rows.length * rowH + 8;
  const bars = rows.map((x, i) => {
    const y = i * rowH + 4, w = Math.max(2, Math.round(barW * x.value / max));
    return `<g><text x="${nameW - 12}" y="${y + rowH / 2}" text-anchor="end" dominant-baseline="middle" font-size="${fs}" class="cn">${esc(x.name)}</text>
      <rect x="${nameW}" y="${y + 6}" width="${w}" height="${rowH - 14}" rx="4" class="${x.won ? 'won' : x.tied ? 'tied' : 'lost'}"></rect>
      <text x="${nameW + w + 10}" y="${y + rowH / 2}" dominant-baseline="middle" font-size="${fs}" class="cv">${esc(x.label)}${x.won ? ' ✓' : ''}</text></g>`;
  }).join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(question(b))}">${bars}</svg>`;
}

function chairPage(s) {
  const L = t();
  const q = s.quorum;
  let html = `<div class="grid2">
    <section class="card"><h2>${esc(L.quorum)}</h2>
      <p class="big-num">${q.present_units}<small>/${q.members_units} ${esc(L.units)}</small></p>
      <p>${q.present_votes}/${q.members_votes} ${esc(L.votes)} (${esc(L.needed)} ${q.needed_votes})</p>
      ${bar(q.present_votes, q.members_votes)}
      <p class="pill ${q.met ? 'ok' : 'warn'}" id="quorum-state">${esc(q.met ? L.quorumMet : L.quorumNot)}</p></section>
    <section class="card"><h2>${esc(L.ceremony)}</h2>
      <p class="pill ${s.ceremony.state === 'done' ? 'ok' : 'warn'}">${esc({ none: L.ceremonyNone, running: L.ceremonyRunning, done: L.ceremonyDone }[s.ceremony.state])}</p>
      ${s.ceremony.state !== 'none' ? `<p>${esc(L.ceremonyOf(s.ceremony.tellers, s.ceremony.threshold))}</p>` : ''}
      ${s.ceremony.state === 'none' ? `<div class="actions"><button type="button" id="ceremony" data-act="ceremony">${esc(L.ceremonyStart)}</button></div>` : ''}</section></div>`;
  html += `<section class="card"><h2>${esc(L.ballots)}</h2>${s.ballots.map(b => chairBallot(b)).join('')}</section>`;
  html += `<section class="card"><h2>${esc(L.roster)}</h2><table class="grid"><thead><tr><th scope="col">${esc(L.unit)}</th>
    <th scope="col">${esc(L.delegateCol)}</th><th scope="col">${esc(L.weight)}</th><th scope="col">${esc(L.status)}</th></tr></thead><tbody>
    ${s.units.map(u => `<tr><td>${esc(u.name)}</td><td>${esc(u.delegate)}</td><td>${u.weight}</td><td>${u.present
      ? `<span class="badge st-open">${esc(L.present)}</span>${u.remote ? ` <small>${esc(L.remote)}</small>` : ''}${u.by_chair ? ` <small>${esc(L.byChair)}</small>` : ''}`
      : `<span class="badge st-none">${esc(L.absent)}</span> <button type="button" class="small" id="ci-${esc(u.id)}" data-act="checkin-unit" data-unit="${esc(u.id)}">${esc(L.checkinFor)}</button>`}
      ${u.proxy_holder ? ` <small>${esc(L.proxy)} ${esc(u.proxy_holder)}</small>` : ''}</td></tr>`).join('')}</tbody></table></section>`;
  return html;
}

function chairBallot(b) {
  const L = t();
  const r = b.run;
  let html = `<div class="chair-ballot" id="cb-${esc(b.id)}"><div class="row"><div><h3>${esc(question(b))}</h3>${badge(b)} <span class="kind">${esc(kindLine(b))}</span></div><div class="actions">`;
  if (!r || r.state === 'cancelled') html += `<button type="button" class="primary" id="open-${esc(b.id)}" data-act="open" data-ballot="${esc(b.id)}">${esc(L.openBallot)}</button>`;
  if (r && r.state === 'open') html += `<button type="button" class="danger" id="close-${esc(b.id)}" data-act="close" data-ballot="${esc(b.id)}">${esc(L.closeBallot)}</button>`;
  if (r && r.state === 'result') {
    html += `<a class="button" href="/api/minutes?ballot=${encodeURIComponent(b.id)}&lang=${ui.lang}" target="_blank" rel="noopener" id="minutes-${esc(b.id)}">${esc(L.minutes)}</a>`;
    if (r.result && r.result.runoff_candidates && r.result.runoff_candidates.length) {
      html += `<button type="button" class="primary" id="runoff-${esc(b.id)}" data-act="runoff" data-ballot="${esc(b.id)}">${esc(L.runoff)}</button>`;
    }
  }
  html += `</div></div>`;
  if (r) {
    html += `<p>${esc(L.turnout)}: <strong data-testid="turnout-${esc(b.id)}">${r.received_units}/${r.issued_units}</strong> ${esc(L.units)} · ${r.received_votes}/${r.issued_votes} ${esc(L.votes)}</p>${bar(r.received_votes, r.issued_votes)}`;
    if (r.state !== 'open') {
      html += `<p class="tellers">${esc(L.tellers)}: ${r.tellers.tallied ? '✓ ' + esc(L.tallied) + ' · ' : ''}${esc(L.shares(r.tellers.shares, r.tellers.threshold))} · ${esc(L.cosigned(r.tellers.cosigned, r.tellers.threshold))}</p>`;
    }
    if (r.result) {
      html += resultSummary(b, false);
      if (r.result.runoff_candidates && r.result.runoff_candidates.length) html += `<p>${esc(L.runoffAmong)}: ${r.result.runoff_candidates.map(esc).join(', ')}</p>`;
    }
  }
  return html + '</div>';
}

function projectorPage(s) {
  const L = t();
  const runs = s.ballots.filter(b => b.run).sort((a, b) => b.run.open_seq - a.run.open_seq);
  const b = runs.find(x => x.run.state === 'open') || runs[0];
  let html = `<div class="projector">`;
  html += `<h1 class="p-title">${esc(ui.lang === 'en' && s.meeting.title_en ? s.meeting.title_en : s.meeting.title)}</h1>`;
  if (!b) {
    html += `<p class="p-wait">${esc(L.waitingOpen)}</p>`;
  } else {
    const r = b.run;
    html += `<h2 class="p-q">${esc(question(b))}${r.round > 1 ? ` — ${esc(L.round)} ${r.round}` : ''}</h2><p class="p-state">${badge(b)}</p>`;
    if (r.state === 'open' || !r.result) {
      html += `<div class="p-turnout"><div class="p-num" data-testid="projector-turnout">${r.received_units}<span>/${r.issued_units}</span></div>
        <div class="p-lab">${esc(L.turnout)} (${r.received_votes}/${r.issued_votes} ${esc(L.votes)})</div>${bar(r.received_votes, r.issued_votes)}</div>`;
      if (r.state !== 'open') html += `<p class="p-lab">${esc(L.shares(r.tellers.shares, r.tellers.threshold))}</p>`;
    } else {
      html += resultSummary(b, true);
      html += `<p class="p-fp">${esc(L.signature)}: <span class="mono">${esc(group4(r.result.signature_fingerprint))}</span> · ${esc(L.serverKey)}: <span class="mono">${esc(group4(r.result.server_fingerprint))}</span></p>`;
    }
  }
  html += `<p class="p-chain">${esc(L.chainHead)} #${s.chain.length - 1}: <span class="mono">${esc(group4(s.chain.head.slice(0, 24)))}</span></p></div>`;
  return html;
}

// ---------------------------------------------------------------- render

function render() {
  const L = t();
  document.documentElement.lang = ui.lang;
  document.getElementById('skip-link').textContent = L.skip;
  for (const b of document.querySelectorAll('.lang button')) b.setAttribute('aria-pressed', String(b.dataset.lang === ui.lang));
  const banner = document.getElementById('banner');
  const bannerHtml = (ui.offline ? `<p class="offline">${esc(L.offline)}</p>` : '') +
    (ui.flash ? `<p class="flash ${ui.flash.kind}" role="${ui.flash.kind === 'err' ? 'alert' : 'status'}">${esc(ui.flash.text)}</p>` : '');
  if (banner.innerHTML !== bannerHtml) banner.innerHTML = bannerHtml;
  const s = ui.state;
  if (!s) return;
  const r = route();
  document.body.classList.toggle('is-projector', r === 'projector');
  const pages = [['delegate', L.delegate], ['receipts', L.receipts]];
  if (s.me.chair) pages.push(['chair', L.chair]);
  pages.push(['projector', L.projector]);
  const nav = pages.map(([id, label]) => `<a href="#/${id}" ${r === id ? 'aria-current="page"' : ''}>${esc(label)}</a>`).join('');
  const navEl = document.getElementById('nav');
  if (navEl.innerHTML !== nav) navEl.innerHTML = nav;
  const title = `<strong>${esc(ui.lang === 'en' && s.meeting.title_en ? s.meeting.title_en : s.meeting.title)}</strong>
    <span>${esc(L.you)}: ${esc(s.me.name)}${s.me.unit_name ? ` — ${esc(L.delegateOf)} ${esc(s.me.unit_name)}` : ''}</span>`;
  const titleEl = document.getElementById('meeting-title');
  if (titleEl.innerHTML !== title) titleEl.innerHTML = title;
  let html;
  if (r === 'chair' && s.me.chair) html = chairPage(s);
  else if (r === 'projector') html = projectorPage(s);
  else if (r === 'receipts') html = receiptsPage(s);
  else html = delegatePage(s);
  const main = document.getElementById('main');
  if (html !== ui.lastHtml) {
    const focused = document.activeElement && document.activeElement.id;
    main.innerHTML = html;
    ui.lastHtml = html;
    if (focused) {
      const el = document.getElementById(focused);
      if (el) el.focus();
    }
  }
  const foot = `${esc(L.chainHead)} #${s.chain.length - 1} <span class="mono">${esc(s.chain.head.slice(0, 16))}</span> · ${esc(L.serverKey)} <span class="mono">${esc(s.chain.server_fingerprint)}</span>`;
  const footEl = document.getElementById('foot');
  if (footEl.innerHTML !== foot) footEl.innerHTML = foot;
}

function ballotById(id) {
  return ui.state.ballots.find(b => b.id === id);
}

function focusLater(id) {
  setTimeout(() => { const el = document.getElementById(id); if (el) el.focus(); }, 0);
}

async function act(name, body) {
  const r = await api('POST', '/api/' + name, body);
  if (r.ok) ui.flash = null;
  else ui.flash = { kind: 'err', text: `${t().refused}: ${r.data.error || r.status}` };
  await refresh();
  return r;
}

async function castBallot(b) {
  const v = voteOf(b);
  const mine = b.run.mine[0] || {};
  v.step = 'sending';
  v.error = '';
  render();
  const prepared = v.prepared;
  v.prepared = null;  // decided: cast, whatever the answer
  const r = await api('POST', '/api/vote', prepared
    ? { ballot: b.id, run: b.run.id, unit: mine.unit, prepared: prepared.prepared, tracking_code: prepared.tracking_code }
    : { ballot: b.id, run: b.run.id, unit: mine.unit, resend: true });
  if (r.ok) {
    v.receipt = r.data;
    v.step = 'done';
    await refresh();
    focusLater('ballot-' + b.id);
    return;
  }
  if (r.status === 0 || r.status === 503) {
    v.step = 'resend';
    v.error = t().errOffline;
  } else if (r.status === 409 && /not open|closed|đã kết thúc|reopened/i.test(r.data.error || '')) {
    v.closedError = true;
    v.step = 'choose';
  } else {
    v.step = 'choose';  // the prepared ballot is spent: review again
    v.error = r.status === 404 && prepared ? t().errGone : (r.data.error || String(r.status));
  }
  await refresh();
  focusLater((v.step === 'resend' ? 'resend-' : 'review-') + b.id);
}

// ---------------------------------------------------------------- cast or check
//
// "Review" asks the phieu process to encrypt and sign the ballot (prepare);
// the page shows that encryption's tracking code and only then asks: cast
// it, or check it (spoil: published with its choices, never counted, then a
// fresh ballot). The page holds only the prepared ballot's id, never its
// randomness; a reload loses the id, and the ballot is never cast.

function reviewBox(b, v) {
  const L = t();
  const c = choicesOf(b, v);
  return `<section class="review" aria-labelledby="rv-${esc(b.id)}"><h3 id="rv-${esc(b.id)}">${esc(L.reviewTitle)}</h3>
    <ul class="review-list">${describe(b, c.choices || [])}</ul>
    <p>${esc(L.codeOfThis)}:</p><p class="code" data-testid="review-code">${esc(group4(v.prepared.tracking_code))}</p>
    <p class="hint">${esc(L.reviewNote)}</p><p class="hint">${esc(L.checkNote)}</p>
    ${v.error ? `<p class="error" role="alert">${esc(v.error)}</p>` : ''}
    <div class="actions"><button type="button" id="back-${esc(b.id)}" data-act="back" data-ballot="${esc(b.id)}">${esc(L.back)}</button>
    <button type="button" id="check-${esc(b.id)}" data-act="check" data-ballot="${esc(b.id)}">${esc(L.checkThis)}</button>
    <button type="button" class="primary" id="confirm-${esc(b.id)}" data-act="confirm" data-ballot="${esc(b.id)}">${esc(L.confirm)}</button></div></section>`;
}

function checkedBox(b, v) {
  const L = t();
  const k = v.checked;
  return `<section class="review checked" aria-labelledby="ck-${esc(b.id)}"><h3 id="ck-${esc(b.id)}">${esc(L.checkedTitle)}</h3>
    <p>${esc(L.checkedSays)}</p><ul class="review-list" data-testid="checked-choices">${(k.choices || []).map(x => `<li>${esc(x)}</li>`).join('')}</ul>
    <p>${esc(L.codeOfThis)}:</p><p class="code" data-testid="checked-code">${esc(group4(k.tracking_code))}</p>
    <p class="hint">${esc(L.checkedEntry(k.seq))}</p><p class="hint">${esc(L.secondDevice)}</p>
    <p class="mono" data-testid="checked-command">phieu spoiled ${esc(k.short_code)}</p>
    <div class="actions"><button type="button" class="primary" id="fresh-${esc(b.id)}" data-act="fresh" data-ballot="${esc(b.id)}">${esc(L.fresh)}</button></div></section>`;
}

async function prepareBallot(b, choices) {
  const v = voteOf(b);
  const mine = b.run.mine[0] || {};
  v.step = 'preparing';
  v.error = '';
  v.prepared = null;
  render();
  const r = await api('POST', '/api/prepare', { ballot: b.id, run: b.run.id, unit: mine.unit, choices });
  if (r.ok) {
    v.prepared = r.data;
    v.step = 'review';
  } else {
    v.step = 'choose';
    v.error = r.data.error || String(r.status);
    if (r.status === 409 && /not open|closed|đã kết thúc|reopened/i.test(r.data.error || '')) v.closedError = true;
  }
  render();
  focusLater(v.step === 'review' ? 'confirm-' + b.id : 'review-' + b.id);
}

async function checkBallot(b) {
  const v = voteOf(b);
  const prepared = v.prepared;
  v.prepared = null;  // decided: this encryption is never cast
  v.step = 'preparing';
  render();
  const r = await api('POST', '/api/check', { prepared: prepared ? prepared.prepared : '' });
  if (r.ok) {
    v.checked = r.data;
    v.step = 'checked';
  } else {
    v.step = 'choose';
    v.error = r.status === 404 ? t().errGone : (r.data.error || String(r.status));
  }
  await refresh();
  focusLater(v.step === 'checked' ? 'fresh-' + b.id : 'review-' + b.id);
}

function discardPrepared(v) {
  if (v.prepared) api('POST', '/api/discard', { prepared: v.prepared.prepared });
  v.prepared = null;
}

document.addEventListener('click', async ev => {
  const el = ev.target.closest('button[data-act], .lang button');
  if (!el) return;
  if (el.dataset.lang) {
    ui.lang = el.dataset.lang;
    localStorage.setItem('phieu.lang', ui.lang);
    render();
    return;
  }
  const a = el.dataset.act;
  const b = el.dataset.ballot ? ballotById(el.dataset.ballot) : null;
  if (a === 'review' && b) {
    const v = voteOf(b);
    const c = choicesOf(b, v);
    v.error = c.error || '';
    if (c.error) {
      render();
      focusLater('review-' + b.id);
      return;
    }
    el.disabled = true;
    await prepareBallot(b, c.choices);
  } else if ((a === 'back' || a === 'fresh') && b) {
    const v = voteOf(b);
    discardPrepared(v);
    v.step = 'choose';
    v.error = '';
    v.checked = null;
    render();
    focusLater('review-' + b.id);
  } else if (a === 'confirm' && b) {
    if (!voteOf(b).prepared) return;
    el.disabled = true;
    await castBallot(b);
  } else if (a === 'check' && b) {
    if (!voteOf(b).prepared) return;
    el.disabled = true;
    await checkBallot(b);
  } else if (a === 'resend' && b) {
    el.disabled = true;
    await castBallot(b);
  } else if (a === 'checkin') {
    await act('checkin', { remote: el.dataset.remote === '1' });
  } else if (a === 'checkin-unit') {
    await act('checkin-unit', { unit: el.dataset.unit });
  } else if (a === 'close') {
    if (!confirm(t().confirmClose)) return;
    await act('close', { ballot: el.dataset.ballot });
  } else if (a === 'open' || a === 'runoff') {
    await act(a, { ballot: el.dataset.ballot });
  } else if (a === 'ceremony') {
    await act('ceremony', {});
  }
});

document.addEventListener('change', ev => {
  const el = ev.target;
  const b = el.dataset && el.dataset.ballot ? ballotById(el.dataset.ballot) : null;
  if (!b) return;
  const v = voteOf(b);
  v.error = '';
  v.touched = true;
  if (el.dataset.role === 'one') v.one = el.value;
  else if (el.dataset.role === 'approve') {
    v.many = v.many.filter(x => x !== el.value);
    if (el.checked) v.many.push(el.value);
  } else if (el.dataset.role === 'rank') v.ranks[Number(el.dataset.rank)] = el.value;
  else if (el.dataset.role === 'yna') v.items[el.dataset.item] = el.value;
  render();
});

window.addEventListener('hashchange', () => { ui.flash = null; render(); document.getElementById('main').focus(); });

refresh();
setInterval(refresh, 1500);
