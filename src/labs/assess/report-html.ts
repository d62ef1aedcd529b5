import { formatPoints } from './points';
import { runName, scoreText, zeroReasonText, type ClassResults, type LabResult, type LearnerResult } from './results';

/** Where the report's links and commands point, relative to the report and to where grading ran. */
export interface ReportPaths {
  /** Link from report.html to a learner's file (`ada/results.json`). */
  href(slug: string, file: string): string;
  /** Path of a learner's code for a lab, as a shell command run where `brokerlab grade` ran would name it. */
  codePath(slug: string, lab: string): string;
  /** Path of a key's fault schedule written beside the report, for `--faults`. */
  faultsPath(lab: string, schedule: number): string;
}

const EVIDENCE_SHOWN_MAX = 3;
const BINS = 10;
/** Checks shown in full (evidence and command) under "Most-failed checks"; the rest are in the Checks table. */
const FAILED_SHOWN_MAX = 10;

/**
 * The class report: one static HTML file (inline CSS, no scripts, nothing fetched) an instructor
 * opens from disk. Score distribution, labs, the checks most learners failed with the first
 * failing run and the command that reproduces it, labs scored 0 by a limit, rejected files, and
 * every learner with links to their results and code. Deterministic: the same grades give the
 * same bytes.
 */
export function reportHtml(results: ClassResults, paths: ReportPaths, publicSeedsByLab: ReadonlyMap<string, readonly number[]>): string {
  const a = results.assessment;
  const learners = results.learners;
  const max = a.labs.reduce((s, l) => s + Math.round(l.points * 100), 0) / 100;
  const totals = learners.map((l) => l.total).sort((x, y) => x - y);
  const parts: string[] = [];
  parts.push(`<header><p class="kicker">Brokerlab grades</p><h1>${esc(a.title)}</h1>`);
  parts.push(
    `<p>Assessment <code>${esc(a.id)}</code>: ${a.labs.length} lab${a.labs.length === 1 ? '' : 's'}, ${formatPoints(max)} points. ${learners.length} submission${learners.length === 1 ? '' : 's'} graded${results.rejected.length ? `, <a href="#rejected">${results.rejected.length} rejected</a>` : ''}. Every score was recomputed by re-running the code under the key’s seeds and fault schedules.</p></header>`,
  );
  parts.push('<main>');
  parts.push(summarySection(totals, max));
  parts.push(labsSection(results));
  parts.push(mostFailedSection(results, paths, publicSeedsByLab));
  parts.push(checksSection(results));
  parts.push(zeroedSection(results, publicSeedsByLab));
  if (results.rejected.length) parts.push(rejectedSection(results));
  parts.push(learnersSection(results, paths));
  parts.push('</main>');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(a.title)} — Brokerlab grades</title>
<style>${CSS}</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}

function summarySection(totals: number[], max: number): string {
  if (totals.length === 0) return '<section aria-labelledby="dist"><h2 id="dist">Scores</h2><p>No submission was graded.</p></section>';
  const mean = totals.reduce((s, x) => s + x, 0) / totals.length;
  const mid = totals.length % 2 ? totals[(totals.length - 1) / 2]! : (totals[totals.length / 2 - 1]! + totals[totals.length / 2]!) / 2;
  const stats = [
    ['Submissions', String(totals.length)],
    ['Mean', formatPoints(mean)],
    ['Median', formatPoints(mid)],
    ['Lowest', formatPoints(totals[0]!)],
    ['Highest', formatPoints(totals[totals.length - 1]!)],
    ['Out of', formatPoints(max)],
  ];
  const counts = new Array<number>(BINS).fill(0);
  for (const t of totals) counts[Math.min(BINS - 1, Math.floor(max > 0 ? (t / max) * BINS + 1e-9 : 0))]!++;
  return `<section aria-labelledby="dist"><h2 id="dist">Scores</h2>
<dl class="stats">${stats.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
${histogram(counts)}
</section>`;
}

/** An SVG bar chart of scores in tenths of the maximum, with its numbers in text for screen readers. */
function histogram(counts: number[]): string {
  const w = 640;
  const h = 220;
  const left = 36;
  const bottom = 40;
  const top = 16;
  const plotH = h - bottom - top;
  const barW = (w - left - 8) / counts.length;
  const peak = Math.max(1, ...counts);
  const label = (i: number): string => (i === counts.length - 1 ? `${i * 10}–100%` : `${i * 10}–${i * 10 + 9}%`);
  const desc = counts.map((c, i) => `${label(i)}: ${c}`).join(', ');
  const bars = counts
    .map((c, i) => {
      const bh = Math.round((c / peak) * plotH);
      const x = left + i * barW;
      const y = top + plotH - bh;
      return `<g><rect x="${fmt(x + 3)}" y="${y}" width="${fmt(barW - 6)}" height="${bh}" class="bar"/>${c > 0 ? `<text x="${fmt(x + barW / 2)}" y="${y - 4}" class="count">${c}</text>` : ''}<text x="${fmt(x + barW / 2)}" y="${h - bottom + 16}" class="tick">${label(i)}</text></g>`;
    })
    .join('');
  return `<figure><svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-labelledby="hist-t hist-d"><title id="hist-t">Learners by score, in tenths of the maximum</title><desc id="hist-d">${esc(desc)}</desc>
<line x1="${left}" y1="${top + plotH}" x2="${w - 8}" y2="${top + plotH}" class="axis"/>${bars}<text x="${left + (w - left) / 2}" y="${h - 6}" class="tick">score (% of the maximum)</text></svg>
<figcaption>Learners by score. Bars are tenths of the maximum; the number above a bar is how many learners scored in it.</figcaption></figure>`;
}

function labsSection(results: ClassResults): string {
  const rows = results.assessment.labs.map((l) => {
    const got = results.learners.map((r) => r.labs.find((x) => x.lab === l.lab)).filter((x): x is LabResult => x !== undefined);
    const submitted = got.filter((x) => x.zero?.kind !== 'not-submitted');
    const mean = got.length ? got.reduce((s, x) => s + x.earned, 0) / got.length : 0;
    const full = got.filter((x) => x.earned === x.points).length;
    return `<tr><th scope="row"><code>${esc(l.lab)}</code><br><span class="muted">${esc(l.title)}</span></th><td class="num">${formatPoints(l.points)}</td><td class="num">${formatPoints(mean)}</td><td class="num">${full}</td><td class="num">${got.length - submitted.length}</td></tr>`;
  });
  return `<section aria-labelledby="labs"><h2 id="labs">Labs</h2>
<table><caption>Points per lab across the class (a lab not submitted counts as 0 in the mean)</caption><thead><tr><th scope="col">Lab</th><th scope="col" class="num">Points</th><th scope="col" class="num">Mean</th><th scope="col" class="num">Full marks</th><th scope="col" class="num">Not submitted</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></section>`;
}

interface FailedCheck {
  lab: string;
  check: string;
  title: string;
  failed: number;
  of: number;
  first?: { learner: LearnerResult; lab: LabResult };
}

function mostFailedSection(results: ClassResults, paths: ReportPaths, publicSeedsByLab: ReadonlyMap<string, readonly number[]>): string {
  const list: FailedCheck[] = [];
  results.assessment.labs.forEach((l) => {
    for (const c of l.checks) {
      let failed = 0;
      let of = 0;
      let first: FailedCheck['first'];
      for (const r of results.learners) {
        const lr = r.labs.find((x) => x.lab === l.lab);
        if (!lr || lr.zero?.kind === 'not-submitted') continue;
        of++;
        const cr = lr.checks.find((x) => x.id === c.id);
        if (!cr || cr.earned < cr.points) {
          failed++;
          if (!first || (!first.lab.checks.find((x) => x.id === c.id)?.firstFailure && cr?.firstFailure)) first = { learner: r, lab: lr };
        }
      }
      if (failed > 0) list.push({ lab: l.lab, check: c.id, title: c.title, failed, of, first });
    }
  });
  // Most failed first; ties in assessment order (the sort is stable).
  list.sort((x, y) => y.failed - x.failed);
  if (list.length === 0) return '<section aria-labelledby="failed"><h2 id="failed">Most-failed checks</h2><p>Every graded submission passed every check.</p></section>';
  const more = list.length > FAILED_SHOWN_MAX ? `<p>${list.length - FAILED_SHOWN_MAX} more check${list.length - FAILED_SHOWN_MAX === 1 ? ' was' : 's were'} failed by someone; every check’s count is in <a href="#checks">Checks</a>.</p>` : '';
  const items = list.slice(0, FAILED_SHOWN_MAX).map((f) => {
    const pct = Math.round((f.failed / f.of) * 100);
    let detail = '';
    if (f.first) {
      const { learner, lab } = f.first;
      const cr = lab.checks.find((x) => x.id === f.check);
      const pub = publicSeedsByLab.get(f.lab) ?? [];
      if (cr?.firstFailure && !lab.zero) {
        const ff = cr.firstFailure;
        const cmd = `npx brokerlab run ${f.lab} --code ${shellQuote(paths.codePath(learner.slug, f.lab))} --seed ${ff.seed}${ff.schedule >= 0 ? ` --faults ${shellQuote(paths.faultsPath(f.lab, ff.schedule))}` : ''}`;
        detail = `<p>First failing learner: <a href="#l-${esc(learner.slug)}">${esc(learner.learner)}</a>, ${esc(runName(ff.seed, ff.schedule, false, pub))}${ff.hidden ? ' (hidden)' : ''}: ${esc(ff.summary)}</p>
${ff.evidence.length ? `<ul class="evidence">${ff.evidence
          .slice(0, EVIDENCE_SHOWN_MAX)
          .map((e) => `<li>${esc(e.message)}</li>`)
          .join('')}</ul>` : ''}<p class="cmd-label">Reproduce:</p><pre class="cmd"><code>${esc(cmd)}</code></pre>`;
      } else if (lab.zero) {
        detail = `<p>First failing learner: <a href="#l-${esc(learner.slug)}">${esc(learner.learner)}</a>: ${esc(zeroReasonText(lab.zero, false, pub))}</p>`;
      }
    }
    return `<li><h3><code>${esc(f.lab)}/${esc(f.check)}</code> ${esc(f.title)}</h3><p class="rate"><strong>${f.failed} of ${f.of}</strong> learners (${pct}%) did not earn it.</p>${detail}</li>`;
  });
  return `<section aria-labelledby="failed"><h2 id="failed">Most-failed checks</h2><ol class="failed">${items.join('\n')}</ol>${more}</section>`;
}

/** Every check with how many of the learners who submitted its lab earned it. */
function checksSection(results: ClassResults): string {
  const rows: string[] = [];
  for (const l of results.assessment.labs) {
    for (const c of l.checks) {
      let earned = 0;
      let of = 0;
      for (const r of results.learners) {
        const lr = r.labs.find((x) => x.lab === l.lab);
        if (!lr || lr.zero?.kind === 'not-submitted') continue;
        of++;
        const cr = lr.checks.find((x) => x.id === c.id);
        if (cr && cr.earned === cr.points) earned++;
      }
      rows.push(`<tr><th scope="row"><code>${esc(l.lab)}/${esc(c.id)}</code> <span class="muted">${esc(c.title)}</span></th><td class="num">${formatPoints(c.points)}</td><td class="num">${earned} of ${of}</td><td class="num">${of ? Math.round((earned / of) * 100) : 0}%</td></tr>`);
    }
  }
  return `<section aria-labelledby="checks"><h2 id="checks">Checks</h2>
<table><caption>How many learners earned each check (of those who submitted its lab)</caption><thead><tr><th scope="col">Check</th><th scope="col" class="num">Points</th><th scope="col" class="num">Earned by</th><th scope="col" class="num">Rate</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function zeroedSection(results: ClassResults, publicSeedsByLab: ReadonlyMap<string, readonly number[]>): string {
  const rows: string[] = [];
  for (const r of results.learners) {
    for (const l of r.labs) {
      if (!l.zero || l.zero.kind === 'not-submitted') continue;
      const limit = l.zero.kind === 'grader-limit';
      rows.push(
        `<tr${limit ? ' class="attention"' : ''}><th scope="row"><a href="#l-${esc(r.slug)}">${esc(r.learner)}</a></th><td><code>${esc(l.lab)}</code></td><td><pre class="reason">${esc(zeroReasonText(l.zero, false, publicSeedsByLab.get(l.lab) ?? []))}</pre></td></tr>`,
      );
    }
  }
  if (rows.length === 0) return '';
  return `<section aria-labelledby="zeroed"><h2 id="zeroed">Labs scored 0 by a limit or a compile error</h2>
<p>These labs scored 0 whatever their checks said: the code did not compile, did not load, ran past a step, memory or stack budget, or was stopped by the grader’s own time or memory limit (highlighted: those depend on the machine, so regrade them with a larger <code>--time-limit</code> or <code>--memory-limit</code> before trusting them).</p>
<table><caption>Labs scored 0 and why</caption><thead><tr><th scope="col">Learner</th><th scope="col">Lab</th><th scope="col">Reason</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function rejectedSection(results: ClassResults): string {
  // The message names the file on every line; the table already does.
  const rows = results.rejected.map((r) => `<tr><th scope="row"><code>${esc(r.file)}</code></th><td>${esc(r.kind)}</td><td><pre class="reason">${esc(r.message.split('\n').map((line) => (line.startsWith(`${r.file}: `) ? line.slice(r.file.length + 2) : line)).join('\n'))}</pre></td></tr>`);
  return `<section aria-labelledby="rejected"><h2 id="rejected">Rejected files</h2>
<p>These files were not graded. Each reason says what was wrong and what to do; ask the learner to export the submission again.</p>
<table><caption>Files that could not be graded</caption><thead><tr><th scope="col">File</th><th scope="col">Problem</th><th scope="col">Details</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function learnersSection(results: ClassResults, paths: ReportPaths): string {
  const labs = results.assessment.labs;
  const head = labs.map((l) => `<th scope="col" class="num"><code>${esc(l.lab)}</code><br><span class="muted">/${formatPoints(l.points)}</span></th>`).join('');
  const rows = results.learners.map((r) => {
    const cells = labs
      .map((l) => {
        const lr = r.labs.find((x) => x.lab === l.lab);
        if (!lr || lr.zero?.kind === 'not-submitted') return '<td class="num muted">—</td>';
        return `<td class="num${lr.zero ? ' zero' : ''}"><a href="${esc(paths.href(r.slug, `${l.lab}.ts`))}" title="${esc(`${r.learner}'s code for ${l.lab}`)}">${formatPoints(lr.earned)}</a></td>`;
      })
      .join('');
    return `<tr id="l-${esc(r.slug)}"><th scope="row">${esc(r.learner)}<br><a class="small" href="${esc(paths.href(r.slug, 'results.json'))}">results.json</a></th>${cells}<td class="num"><strong>${scoreText(r.total, r.max)}</strong></td><td class="small">${r.notes.map(esc).join('<br>')}</td></tr>`;
  });
  return `<section aria-labelledby="learners"><h2 id="learners">Learners</h2>
<p>Scores link to the code that was graded; <code>results.json</code> is what the learner sees (it never names a hidden seed).</p>
<div class="scroll"><table class="learners"><caption>Every learner’s score per lab</caption><thead><tr><th scope="col">Learner</th>${head}<th scope="col" class="num">Total</th><th scope="col">Notes</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div></section>`;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A path as a POSIX shell word: bare when it is plain, otherwise in single quotes. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function fmt(x: number): string {
  return String(Math.round(x * 10) / 10);
}

const CSS = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#0b5cad;--bar:#2f6fb3;--warn:#fff4d6;--bad:#b42318}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1100px;margin:0 auto;padding:0 24px}
header{padding-top:24px}
.kicker{margin:0;color:var(--muted);font-size:14px;text-transform:uppercase;letter-spacing:.06em}
h1{margin:4px 0 8px;font-size:28px}
h2{margin:32px 0 12px;font-size:22px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin:0 0 4px;font-size:17px}
a{color:var(--accent)}
code,pre{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.muted{color:var(--muted)}
th .muted{font-weight:400}
td code,th code{white-space:nowrap}
.small{font-size:14px}
.stats{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 12px;padding:0}
.stats div{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px}
.stats dt{font-size:13px;color:var(--muted)}
.stats dd{margin:0;font-size:22px;font-weight:600}
figure{margin:0;max-width:720px}
figcaption{font-size:14px;color:var(--muted)}
svg .bar{fill:var(--bar)}
svg .axis{stroke:var(--muted);stroke-width:1}
svg .count{font-size:13px;text-anchor:middle;fill:var(--fg)}
svg .tick{font-size:12px;text-anchor:middle;fill:var(--muted)}
table{border-collapse:collapse;width:100%;margin:8px 0}
caption{text-align:left;font-size:14px;color:var(--muted);padding-bottom:4px}
th,td{border:1px solid var(--line);padding:6px 10px;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
tbody tr:nth-child(even){background:#fbfcfd}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.zero a{color:var(--bad);font-weight:600}
tr.attention{background:var(--warn)!important}
.scroll{overflow-x:auto}
.learners th[scope=row]{min-width:11em}
ol.failed{padding-left:24px}
ol.failed>li{margin:0 0 20px;padding:12px 16px;border:1px solid var(--line);border-radius:6px;background:var(--soft)}
.rate{margin:0 0 6px}
.evidence{margin:4px 0 8px;padding-left:20px}
.cmd-label{margin:4px 0 2px;font-size:14px;color:var(--muted)}
.cmd{background:#0d1117;color:#e6edf3;padding:8px 12px;border-radius:6px}
.reason{font-size:13px}
`;
