// Browser side of the search report: reads the JSON embedded in #report-data and builds every
// section inside #report. Self-contained on purpose: the page's CSP allows no fetch, no eval and
// no inline handlers, and the file has to work when opened from a file:// URL.
(function () {
  'use strict';

  const T0 = performance.now();
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const STATUS_ORDER = ['COMPLETED', 'STOPPED', 'RUNNING', 'INVALID', 'FAILED'];
  // Sampled viridis, worst (dark) to best (bright): perceptually ordered, survives greyscale.
  const VIRIDIS = [
    [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
  ];
  // Okabe-Ito order with yellow last: distinguishable under common colour-vision deficiencies.
  const CATEGORICAL = [
    '#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#000000', '#f0e442',
  ];
  const Z95 = 1.96;
  // Above this many marks, points shrink and fade so that overlapping clouds stay readable.
  const DENSE = 400;

  // ---------------------------------------------------------------- utilities

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const asArray = (v) => (Array.isArray(v) ? v : []);
  const asObj = (v) => (isObj(v) ? v : {});
  const numOrNull = (v) => (isNum(v) ? v : null);
  // One decimal is plenty in viewBox units and keeps attribute strings short for big studies.
  const r1 = (v) => Math.round(v * 10) / 10;
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

  function fmt(v, digits = 4) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'boolean' || typeof v === 'string') return String(v);
    if (typeof v !== 'number') return JSON.stringify(v);
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
    if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
    const a = Math.abs(v);
    if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(digits)));
    return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  }
  const fmtTick = (v) => fmt(v, 4);
  const fmtInt = (v) => (isNum(v) ? Math.round(v).toLocaleString('en-US') : '—');
  const fmtPct = (v) => (isNum(v) ? `${fmt(v * 100, 3)}%` : '—');

  function fmtDuration(sec) {
    if (!isNum(sec)) return '—';
    if (Math.abs(sec) < 60) return `${fmt(sec, 3)} s`;
    const s = Math.round(sec);
    const p2 = (n) => String(n).padStart(2, '0');
    const d = Math.floor(s / 86400);
    const hh = Math.floor((s % 86400) / 3600);
    const mm = Math.floor((s % 3600) / 60);
    if (d > 0) return `${d}d ${p2(hh)}h ${p2(mm)}m`;
    if (hh > 0) return `${hh}h ${p2(mm)}m ${p2(s % 60)}s`;
    return `${mm}m ${p2(s % 60)}s`;
  }

  const fmtClock = (ms) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const clip = (s, n) => (s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s);

  function parseTime(s) {
    if (typeof s !== 'string' || !s) return null;
    const ms = Date.parse(s);
    return isNum(ms) ? ms : null;
  }

  // FNV-1a then a final avalanche: jitter must be deterministic (two renders look the same) yet
  // spread ids such as "0011" and "0012", which plain FNV-1a maps to nearly equal values.
  function hash01(str) {
    let x = 0x811c9dc5;
    for (let i = 0; i < str.length; i++) {
      x ^= str.charCodeAt(i);
      x = Math.imul(x, 0x01000193);
    }
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    return (x >>> 0) / 4294967296;
  }

  // Keyed by type too, so that the choice value 1 and the string "1" stay distinct.
  const catKey = (v) => (typeof v === 'object' ? `j:${JSON.stringify(v)}` : `${typeof v}:${v}`);

  function viridis(t) {
    const x = Math.min(1, Math.max(0, isNum(t) ? t : 0)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
    const f = x - i;
    const a = VIRIDIS[i];
    const b = VIRIDIS[i + 1];
    const c = (k) => Math.round(a[k] + (b[k] - a[k]) * f);
    return `rgb(${c(0)},${c(1)},${c(2)})`;
  }

  // ---------------------------------------------------------------- DOM helpers

  // Data only ever reaches the page through attributes and text nodes, never through HTML parsing.
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const k of Object.keys(attrs)) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') el.className = v;
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const kid of kids) {
      if (kid !== null && kid !== undefined && kid !== false) el.append(kid);
    }
    return el;
  }

  function svgEl(tag, attrs, parent) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (v !== null && v !== undefined) el.setAttribute(k, v);
    }
    if (parent) parent.appendChild(el);
    return el;
  }

  function svgText(parent, x, y, str, cls, anchor) {
    const el = svgEl('text', { x: r1(x), y: r1(y), class: cls, 'text-anchor': anchor }, parent);
    el.textContent = str;
    return el;
  }

  function svgTitle(parent, str) {
    svgEl('title', null, parent).textContent = str;
  }

  function svgRoot(w, hgt, cls, label) {
    return svgEl('svg', {
      viewBox: `0 0 ${w} ${hgt}`, class: `chart ${cls}`, role: 'img', 'aria-label': label,
    });
  }

  function emptyChart(cls, message, w = 1000, hgt = 90) {
    const svg = svgRoot(w, hgt, cls, message);
    svgText(svg, w / 2, hgt / 2 + 5, message, 'no-data', 'middle');
    return svg;
  }

  const noData = (text) => h('p', { class: 'no-data' }, text);

  function card(id, title, lead) {
    const sec = h('section', { id, class: 'card', 'aria-label': title });
    sec.append(h('h2', null, title));
    if (lead) sec.append(h('p', { class: 'lead' }, lead));
    return sec;
  }

  function legend(items) {
    const box = h('div', { class: 'legend' });
    for (const [swatchClass, text, color] of items) {
      const sw = h('span', { class: `swatch ${swatchClass}` });
      if (color) sw.style.setProperty('--c', color);
      box.append(h('span', { class: 'key' }, sw, text));
    }
    return box;
  }

  // ---------------------------------------------------------------- scales

  // Widens a degenerate or empty domain so that a single trial still gets a usable axis.
  function spread(lo, hi, frac, log) {
    if (!isNum(lo) || !isNum(hi)) return log ? [1, 10] : [0, 1];
    if (log) {
      let a = Math.log10(lo);
      let b = Math.log10(hi);
      if (b - a < 1e-9) {
        a -= 0.5;
        b += 0.5;
      } else {
        const p = (b - a) * frac;
        a -= p;
        b += p;
      }
      return [10 ** a, 10 ** b];
    }
    if (hi - lo <= 1e-12 * Math.max(1, Math.abs(lo))) {
      const p = Math.abs(lo) * 0.1 || 1;
      return [lo - p, hi + p];
    }
    const p = (hi - lo) * frac;
    return [lo - p, hi + p];
  }

  function niceTicks(lo, hi, n) {
    const span = hi - lo;
    if (!isNum(span) || span <= 0) return isNum(lo) ? [lo] : [];
    const raw = span / Math.max(1, n);
    const mag = 10 ** Math.floor(Math.log10(raw));
    const r = raw / mag;
    const step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
    const out = [];
    for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) {
      out.push(Number((i * step).toPrecision(12)));
    }
    return out;
  }

  function logTicks(lo, hi, n) {
    const e0 = Math.floor(Math.log10(lo));
    const e1 = Math.ceil(Math.log10(hi));
    const inside = (v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
    // Thin out by the decades inside the domain, starting at the first one, so none is skipped
    // needlessly.
    const first = Math.ceil(Math.log10(lo) - 1e-9);
    const last = Math.floor(Math.log10(hi) + 1e-9);
    const every = Math.max(1, Math.ceil((last - first + 1) / Math.max(1, n + 1)));
    let out = [];
    for (let e = first; e <= last; e += every) {
      const v = Number((10 ** e).toPrecision(12));
      if (inside(v)) out.push(v);
    }
    if (out.length < 3 && e1 - e0 <= 3) {
      out = [];
      for (let e = e0; e <= e1; e++) {
        for (const m of [1, 2, 5]) {
          const v = Number((m * 10 ** e).toPrecision(12));
          if (inside(v)) out.push(v);
        }
      }
    }
    return out.length >= 2 ? out : niceTicks(lo, hi, n).filter((v) => v > 0);
  }

  function linear(d0, d1, r0, r1_) {
    const k = (r1_ - r0) / (d1 - d0);
    const f = (v) => r0 + (v - d0) * k;
    f.ticks = (n) => niceTicks(Math.min(d0, d1), Math.max(d0, d1), n);
    return f;
  }

  function logScale(d0, d1, r0, r1_) {
    const l0 = Math.log10(d0);
    const k = (r1_ - r0) / (Math.log10(d1) - l0);
    const f = (v) => (v > 0 ? r0 + (Math.log10(v) - l0) * k : NaN);
    f.ticks = (n) => logTicks(d0, d1, n);
    return f;
  }

  function drawAxisX(g, box, scale, ticks, label, tickFmt = fmtTick) {
    for (const v of ticks) {
      const x = r1(scale(v));
      if (!isNum(x)) continue;
      svgEl('line', { class: 'grid', x1: x, x2: x, y1: box.t, y2: box.b }, g);
      svgEl('line', { class: 'tick', x1: x, x2: x, y1: box.b, y2: box.b + 5 }, g);
      svgText(g, x, box.b + 18, tickFmt(v), 'tick-label', 'middle');
    }
    svgEl('line', { class: 'axis-line', x1: box.l, x2: box.r, y1: box.b, y2: box.b }, g);
    if (label) svgText(g, (box.l + box.r) / 2, box.b + 38, label, 'axis-label', 'middle');
  }

  function drawAxisY(g, box, scale, ticks, label, labelX) {
    for (const v of ticks) {
      const y = r1(scale(v));
      if (!isNum(y)) continue;
      svgEl('line', { class: 'grid', x1: box.l, x2: box.r, y1: y, y2: y }, g);
      svgEl('line', { class: 'tick', x1: box.l - 5, x2: box.l, y1: y, y2: y }, g);
      svgText(g, box.l - 8, y + 4, fmtTick(v), 'tick-label', 'end');
    }
    svgEl('line', { class: 'axis-line', x1: box.l, x2: box.l, y1: box.t, y2: box.b }, g);
    if (label) {
      const t = svgText(g, 0, 0, label, 'axis-label', 'middle');
      t.setAttribute('transform', `translate(${labelX},${r1((box.t + box.b) / 2)}) rotate(-90)`);
    }
  }

  // ---------------------------------------------------------------- data model

  function describeParam(spec, trials) {
    const name = spec.name;
    const type = typeof spec.type === 'string' ? spec.type.toLowerCase() : '';
    const p = {
      name,
      type: type || 'inferred',
      condition: typeof spec.condition === 'string' && spec.condition ? spec.condition : null,
    };
    const seen = [];
    for (const t of trials) {
      const v = t.values[name];
      if (v !== undefined && v !== null) seen.push(v);
    }
    if (type === 'fixed' || type === 'constant') {
      p.kind = 'fixed';
      p.cats = Array.isArray(spec.values) ? spec.values : 'value' in spec ? [spec.value] : [];
      return p;
    }
    const numeric = ['float', 'int', 'integer', 'double'].includes(type);
    const untyped = type !== 'boolean' && type !== 'choice';
    if (numeric || (untyped && seen.length > 0 && seen.every(isNum))) {
      let lo = isNum(spec.min) ? spec.min : Infinity;
      let hi = isNum(spec.max) ? spec.max : -Infinity;
      for (const v of seen) {
        if (!isNum(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (!isNum(lo) || !isNum(hi)) [lo, hi] = [0, 1];
      p.kind = 'num';
      p.isInt = type === 'int' || type === 'integer';
      p.log = spec.log === true && lo > 0;
      p.lo = lo;
      p.hi = hi;
      return p;
    }
    p.kind = 'cat';
    const cats = type === 'boolean' ? [false, true] : asArray(spec.values).slice();
    const keys = new Set(cats.map(catKey));
    for (const v of seen) {
      const k = catKey(v);
      if (!keys.has(k)) {
        keys.add(k);
        cats.push(v);
      }
    }
    p.cats = cats;
    p.catIndex = new Map(cats.map((c, i) => [catKey(c), i]));
    return p;
  }

  function paramRange(p) {
    if (p.kind === 'num') return `${fmt(p.lo)} … ${fmt(p.hi)}${p.log ? ' (log)' : ''}`;
    const shown = p.cats.slice(0, 12).map((c) => fmt(c)).join(', ');
    return p.cats.length > 12 ? `${shown}, … (${p.cats.length} values)` : shown;
  }

  // Fallback when the report has no pareto_front: non-dominated COMPLETED trials.
  function computeFront(trials, objectives) {
    const sgn = objectives.map((o) => (o.max ? 1 : -1));
    const pts = trials.filter((t) => t.status === 'COMPLETED' && t.objs.every(isNum));
    const dominates = (a, b) => {
      let strict = false;
      for (let i = 0; i < sgn.length; i++) {
        const da = a.objs[i] * sgn[i];
        const db = b.objs[i] * sgn[i];
        if (da < db) return false;
        if (da > db) strict = true;
      }
      return strict;
    };
    return new Set(pts.filter((p) => !pts.some((q) => dominates(q, p))).map((t) => t.id));
  }

  function buildContext(raw) {
    const d = asObj(raw);
    const objRaw = Array.isArray(d.objective) ? d.objective
      : isObj(d.objective) ? [d.objective] : [];
    const objectives = objRaw.filter(isObj).map((o, i) => ({
      name: typeof o.name === 'string' && o.name ? o.name : `objective ${i + 1}`,
      max: String(o.direction || '').toLowerCase().startsWith('max'),
      known: typeof o.direction === 'string',
    }));
    const multi = objectives.length >= 2;
    if (!objectives.length) objectives.push({ name: 'score', max: true, known: false });
    const o0 = objectives[0].name;
    const anyScore = asArray(d.trials).some((t) => isObj(t) && isNum(t.score));

    const trials = asArray(d.trials).filter(isObj).map((t, idx) => {
      const metrics = asObj(t.metrics);
      const unc = asObj(t.uncertainty);
      const tr = {
        idx,
        id: t.trial_id === null || t.trial_id === undefined ? `(${idx + 1})` : String(t.trial_id),
        number: numOrNull(t.number),
        status: typeof t.status === 'string' && t.status ? t.status.toUpperCase() : 'UNKNOWN',
        values: asObj(t.values),
        metrics,
        unc,
        score: numOrNull(t.score),
        scoreSe: numOrNull(t.score_stderr),
        scoreN: numOrNull(t.score_count),
        est: numOrNull(t.estimated_score),
        duration: numOrNull(t.duration_seconds),
        message: t.message === null || t.message === undefined || t.message === ''
          ? null : String(t.message),
        start: parseTime(t.start_time),
        end: parseTime(t.end_time),
      };
      tr.x = tr.number === null ? idx : tr.number;
      if (multi) {
        const u = asObj(unc[o0]);
        tr.y = numOrNull(metrics[o0]);
        // A scored multi-objective trial has a finite aggregate score; partial metrics of an
        // unscored trial are not plotted, unless the producer gives no score at all.
        if (anyScore && tr.score === null) tr.y = null;
        tr.se = numOrNull(u.stderr);
        tr.n = numOrNull(u.count);
      } else {
        tr.y = tr.score;
        tr.se = tr.scoreSe;
        tr.n = tr.scoreN;
      }
      tr.objs = multi ? objectives.map((o) => numOrNull(metrics[o.name])) : [tr.y];
      return tr;
    });

    const byId = new Map();
    for (const t of trials) if (!byId.has(t.id)) byId.set(t.id, t);

    const declared = [];
    const seenNames = new Set();
    for (const spec of asArray(d.space)) {
      if (!isObj(spec) || typeof spec.name !== 'string' || seenNames.has(spec.name)) continue;
      seenNames.add(spec.name);
      declared.push(describeParam(spec, trials));
    }
    // Values the space does not declare (Hyperband's tuner/* keys) still get table columns.
    const extra = [];
    for (const t of trials) {
      for (const k of Object.keys(t.values)) {
        if (seenNames.has(k)) continue;
        seenNames.add(k);
        extra.push(describeParam({ name: k }, trials));
      }
    }
    const plotSource = declared.length ? declared : extra;
    const plotParams = plotSource.filter((p) => p.kind !== 'fixed' && !p.name.startsWith('tuner/'));

    const scored = trials.filter((t) => isNum(t.y));
    let yLo = Infinity;
    let yHi = -Infinity;
    for (const t of scored) {
      if (t.y < yLo) yLo = t.y;
      if (t.y > yHi) yHi = t.y;
    }
    const max = objectives[0].max;
    const colorT = (y) => (yHi > yLo ? (max ? y - yLo : yHi - y) / (yHi - yLo) : 1);

    const best = d.best_trial === null || d.best_trial === undefined
      ? null : byId.get(String(d.best_trial)) || null;
    const front = !multi ? new Set()
      : Array.isArray(d.pareto_front) ? new Set(d.pareto_front.map(String))
        : computeFront(trials, objectives);

    return {
      data: d,
      title: typeof d.title === 'string' && d.title ? d.title : document.title || 'Search report',
      objectives,
      multi,
      trials,
      byId,
      declared,
      extra,
      plotParams,
      scored,
      yLo,
      yHi,
      yDom: spread(yLo, yHi, 0.06),
      colorT,
      color: (y) => viridis(colorT(y)),
      better: (a, b) => (max ? a > b : a < b),
      best,
      nearBest: new Set(asArray(d.indistinguishable_from_best).map(String)),
      front,
      table: null,
    };
  }

  const dirWord = (o) => (o.known ? (o.max ? 'higher is better' : 'lower is better')
    : 'direction unknown, higher assumed better');
  const arrow = (o) => (o.max ? '↑' : '↓');

  function pointClass(base, ctx, t) {
    let c = base;
    if (t.status === 'STOPPED') c += ' hollow';
    else if (t.status !== 'COMPLETED') c += ' other';
    if (ctx.best === t) c += ' best';
    return c;
  }

  function scoreText(ctx, t) {
    const o = ctx.objectives[0];
    let s = `${o.name}: ${fmt(t.y)}`;
    if (t.se > 0) s += ` ± ${fmt(Z95 * t.se)} (95%)`;
    if (isNum(t.n)) s += `, n = ${fmt(t.n)}`;
    return s;
  }

  function trialSummary(ctx, t) {
    const lines = [`Trial ${t.id}${t.number === null ? '' : ` (#${t.number})`} · ${t.status}`];
    if (ctx.multi) {
      ctx.objectives.forEach((o, i) => lines.push(`${o.name}: ${fmt(t.objs[i])}`));
    } else {
      lines.push(scoreText(ctx, t));
      if (t.est !== null) lines.push(`estimated: ${fmt(t.est)}`);
    }
    const keys = Object.keys(t.values);
    for (const k of keys.slice(0, 24)) lines.push(`${k} = ${fmt(t.values[k])}`);
    if (keys.length > 24) lines.push(`… ${keys.length - 24} more`);
    return lines.join('\n');
  }

  // ---------------------------------------------------------------- 1. overview

  function statusChips(ctx) {
    const counts = new Map();
    for (const t of ctx.trials) counts.set(t.status, (counts.get(t.status) || 0) + 1);
    const order = STATUS_ORDER.filter((s) => counts.has(s));
    for (const s of counts.keys()) if (!order.includes(s)) order.push(s);
    const box = h('div', { class: 'chips' });
    for (const s of order) {
      box.append(h('span', { class: `status status-${s.toLowerCase()}` }, `${s} ${counts.get(s)}`));
    }
    return box;
  }

  function sectionOverview(ctx) {
    const d = ctx.data;
    const sec = h('section', { id: 'overview', class: 'card', 'aria-label': 'Overview' });
    sec.append(h('h1', null, ctx.title));
    const meta = h('p', { class: 'meta' });
    if (d.source !== null && d.source !== undefined && d.source !== '') {
      meta.append('Source ', h('code', null, String(d.source)));
    }
    if (d.generated_at) {
      if (meta.childNodes.length) meta.append(' · ');
      const when = String(d.generated_at);
      meta.append('generated ', h('time', { datetime: when }, when));
    }
    if (meta.childNodes.length) sec.append(meta);

    const stats = h('div', { class: 'stats' });
    const stat = (label, value, ...notes) => {
      const box = h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label),
        h('div', { class: 'stat-value' }, value));
      for (const n of notes) if (n) box.append(h('div', { class: 'stat-note' }, n));
      stats.append(box);
    };

    // Seeds are often large integers: print them whole, not in exponent form.
    const seed = Number.isInteger(d.seed) ? String(d.seed) : fmt(d.seed);
    stat('Tuner', d.oracle_class ? String(d.oracle_class) : '—', `seed ${seed}`,
      isNum(d.max_trials) ? `max trials ${fmt(d.max_trials)}` : 'no trial limit');

    const objLabel = ctx.multi ? 'Objectives' : 'Objective';
    stat(objLabel, ctx.objectives.map((o) => `${o.name} ${arrow(o)}`).join(', '),
      ctx.objectives.map((o) => (o.known ? (o.max ? 'maximize' : 'minimize') : 'direction unknown'))
        .join(', '));

    stat('Trials', fmtInt(ctx.trials.length), ctx.trials.length ? statusChips(ctx) : 'none yet');

    let total = 0;
    let any = false;
    let first = Infinity;
    let last = -Infinity;
    for (const t of ctx.trials) {
      if (t.duration !== null) {
        total += t.duration;
        any = true;
      }
      if (t.start !== null && t.start < first) first = t.start;
      if (t.end !== null && t.end > last) last = t.end;
    }
    const wall = isNum(first) && isNum(last) && last >= first
      ? `wall clock ${fmtDuration((last - first) / 1000)}: ${fmtClock(first)} → ${fmtClock(last)}`
      : null;
    stat('Time spent', any ? fmtDuration(total) : '—',
      any ? 'sum of trial durations' : null, wall);

    const b = ctx.best;
    if (b) {
      const score = isNum(b.y) ? scoreText(ctx, b) : 'no score';
      stat('Best trial', `Trial ${b.id}`, score,
        b.est !== null && !ctx.multi ? `noise-aware estimate ${fmt(b.est)}` : null);
    } else if (!ctx.multi) {
      stat('Best trial', '—', 'no completed trial');
    }
    if (ctx.multi) {
      stat('Pareto front', `${fmtInt(ctx.front.size)} trials`,
        `non-dominated on ${ctx.objectives.map((o) => o.name).join(' and ')}`);
    }

    const sp = asObj(d.spending);
    if (isNum(sp.lm_calls) && sp.lm_calls > 0) {
      stat('LM usage', `${fmtInt(sp.lm_calls)} calls`,
        `${fmtInt(sp.total_tokens)} tokens`,
        isNum(sp.cost) ? `cost $${sp.cost.toFixed(4)} (USD)` : 'cost unknown',
        `${fmtInt(sp.lm_cache_hits)} cache hits`);
    }
    sec.append(stats);

    const near = [...ctx.nearBest].filter((id) => !b || id !== b.id);
    if (near.length) {
      const shown = near.slice(0, 40).join(', ');
      const more = near.length > 40 ? ` and ${near.length - 40} more` : '';
      sec.append(h('p', { class: 'note' },
        `Statistically indistinguishable from the best trial (the difference is within noise): `
        + `${near.length === 1 ? 'trial' : 'trials'} ${shown}${more}.`));
    }

    if (b && Object.keys(b.values).length) {
      const list = h('div', { class: 'chips config' });
      for (const [k, v] of Object.entries(b.values)) {
        list.append(h('code', null, `${k} = ${fmt(v)}`));
      }
      sec.append(h('div', { class: 'best-config' },
        h('span', { class: 'stat-label' }, 'Best configuration'), list));
    }

    const params = ctx.declared;
    if (params.length) {
      const table = h('table', { class: 'space-table' });
      table.append(h('thead', null, h('tr', null, h('th', null, 'parameter'), h('th', null, 'type'),
        h('th', null, 'range / values'), h('th', null, 'active when'))));
      // Rows go straight into the table, with no <tbody>: the trials table must hold the page's
      // first <tbody>, which is where a reader of the dumped DOM looks for one row per trial.
      for (const p of params) {
        const range = p.kind === 'fixed' ? p.cats.map((c) => fmt(c)).join(', ') : paramRange(p);
        table.append(h('tr', null, h('td', null, h('code', null, p.name)), h('td', null, p.type),
          h('td', null, range), h('td', null, p.condition || 'always')));
      }
      sec.append(h('details', { class: 'space', open: true },
        h('summary', null, `Search space (${params.length} parameters)`), table));
    }
    return sec;
  }

  // ---------------------------------------------------------------- 2. history

  function sectionHistory(ctx) {
    const o = ctx.objectives[0];
    const sec = card('history', 'Optimization history',
      `${o.name} of each trial by trial number (${dirWord(o)}); bars show ±1.96·s.e.; `
      + 'the line is the best COMPLETED value so far.');
    const pts = ctx.scored.slice().sort((a, b) => a.x - b.x || a.idx - b.idx);
    if (!pts.length) {
      sec.append(emptyChart('history-chart', 'No data: no trial has a finite score yet.'));
      return sec;
    }
    const W = 1000;
    const H = 380;
    const box = { l: 78, r: W - 20, t: 14, b: H - 50 };
    let xlo = Infinity;
    let xhi = -Infinity;
    let ylo = Infinity;
    let yhi = -Infinity;
    for (const p of pts) {
      const e = p.se > 0 ? Z95 * p.se : 0;
      xlo = Math.min(xlo, p.x);
      xhi = Math.max(xhi, p.x);
      ylo = Math.min(ylo, p.y - e);
      yhi = Math.max(yhi, p.y + e);
    }
    const [dx0, dx1] = spread(xlo, xhi, 0.02);
    const [dy0, dy1] = spread(ylo, yhi, 0.05);
    const xs = linear(dx0, dx1, box.l, box.r);
    const ys = linear(dy0, dy1, box.b, box.t);
    const dense = pts.length > DENSE;
    const svg = svgRoot(W, H, `history-chart${dense ? ' dense' : ''}`,
      `Optimization history of ${o.name}`);
    const g = document.createDocumentFragment();
    drawAxisY(g, box, ys, ys.ticks(6), o.name, 18);
    drawAxisX(g, box, xs, xs.ticks(10).filter(Number.isInteger), 'trial number');

    for (const p of pts) {
      if (!(p.se > 0)) continue;
      const x = r1(xs(p.x));
      svgEl('line', {
        class: 'error-bar', x1: x, x2: x,
        y1: r1(ys(p.y - Z95 * p.se)), y2: r1(ys(p.y + Z95 * p.se)),
      }, g);
    }

    let best = null;
    let path = '';
    for (const p of pts) {
      if (p.status !== 'COMPLETED') continue;
      const x = r1(xs(p.x));
      if (best === null) {
        best = p.y;
        path = `M${x},${r1(ys(best))}`;
      } else {
        path += `H${x}`;
        if (ctx.better(p.y, best)) {
          best = p.y;
          path += `V${r1(ys(best))}`;
        }
      }
    }
    if (path) {
      path += `H${r1(xs(xhi))}`;
      svgEl('path', { class: 'best-so-far', d: path }, g);
    }

    const rad = dense ? 2.6 : 4.5;
    for (const p of pts) {
      const c = svgEl('circle', {
        class: pointClass('trial-point', ctx, p), 'data-trial-id': p.id,
        cx: r1(xs(p.x)), cy: r1(ys(p.y)), r: ctx.best === p ? rad + 2 : rad,
      }, g);
      svgTitle(c, trialSummary(ctx, p));
    }
    svg.append(g);
    sec.append(svg, legend([
      ['dot', 'completed'], ['dot hollow', 'stopped'], ['dot other', 'other status'],
      ['dot best', 'best trial'], ['bar', '±1.96·s.e. (95%)'], ['line', 'best so far'],
    ]));
    return sec;
  }

  // ---------------------------------------------------------------- 3. parallel coordinates

  function paramAxis(p, top, bottom) {
    const a = { label: p.name, kind: p.kind, log: !!p.log };
    if (p.kind === 'num') {
      const [lo, hi] = spread(p.lo, p.hi, 0, p.log);
      const sc = p.log ? logScale(lo, hi, bottom, top) : linear(lo, hi, bottom, top);
      let ticks = sc.ticks(5);
      if (p.isInt) ticks = ticks.filter(Number.isInteger);
      a.ticks = ticks.map((v) => ({ y: sc(v), text: fmtTick(v) }));
      a.pos = (t) => {
        const v = t.values[p.name];
        return isNum(v) ? sc(v) : null;
      };
      return a;
    }
    const n = p.cats.length;
    const at = (i) => bottom - ((i + 0.5) * (bottom - top)) / n;
    const every = Math.max(1, Math.ceil(n / 14));
    a.ticks = p.cats.map((c, i) => ({ y: at(i), text: fmt(c), skip: i % every !== 0 }));
    a.pos = (t) => {
      const v = t.values[p.name];
      if (v === undefined || v === null) return null;
      const i = p.catIndex.get(catKey(v));
      return i === undefined ? null : at(i);
    };
    return a;
  }

  function objectiveAxis(ctx, o, i, top, bottom) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of ctx.scored) {
      const v = t.objs[i];
      if (!isNum(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const [d0, d1] = spread(lo, hi, 0.04);
    const sc = linear(d0, d1, bottom, top);
    return {
      label: `${o.name} ${arrow(o)}`,
      kind: 'objective',
      log: false,
      ticks: sc.ticks(5).map((v) => ({ y: sc(v), text: fmtTick(v) })),
      pos: (t) => (isNum(t.objs[i]) ? sc(t.objs[i]) : null),
    };
  }

  function drawColorLegend(g, ctx, x, y, w) {
    const lg = svgEl('g', { class: 'color-legend' }, g);
    const steps = 48;
    for (let i = 0; i < steps; i++) {
      svgEl('rect', {
        x: r1(x + (i * w) / steps), y, width: r1(w / steps + 0.6), height: 12,
        fill: viridis(i / (steps - 1)),
      }, lg);
    }
    const o = ctx.objectives[0];
    const worst = o.max ? ctx.yLo : ctx.yHi;
    const best = o.max ? ctx.yHi : ctx.yLo;
    svgText(lg, x, y + 28, `worst ${fmt(worst)}`, 'tick-label', 'start');
    svgText(lg, x + w, y + 28, `best ${fmt(best)}`, 'tick-label', 'end');
    svgText(lg, x + w + 14, y + 10, `colour: ${o.name} (${dirWord(o)})`, 'axis-note', 'start');
  }

  function sectionParallel(ctx) {
    const sec = card('parallel', 'Parallel coordinates',
      'One line per trial with a score, through each hyperparameter and the objective; '
      + 'brighter is better. Lines through the bottom slot had that parameter inactive.');
    const lines = ctx.scored;
    if (!lines.length) {
      sec.append(emptyChart('parallel-chart', 'No data: no trial has a finite score yet.'));
      return sec;
    }
    const W = 1000;
    const H = 480;
    const top = 52;
    const bottom = H - 116;
    const slotY = H - 88;
    const left = 84;
    const right = W - 84;
    const axes = ctx.plotParams.map((p) => paramAxis(p, top, bottom));
    ctx.objectives.forEach((o, i) => axes.push(objectiveAxis(ctx, o, i, top, bottom)));
    const n = axes.length;
    const gap = n > 1 ? (right - left) / (n - 1) : right - left;
    axes.forEach((a, i) => {
      a.x = r1(n === 1 ? (left + right) / 2 : left + i * gap);
      a.inactive = 0;
    });

    const dense = lines.length > DENSE;
    const svg = svgRoot(W, H, `parallel-chart tip${dense ? ' dense' : ''}`,
      'Parallel coordinates of hyperparameters and objective');
    const g = document.createDocumentFragment();
    const lineGroup = svgEl('g', { class: 'lines' }, g);
    // Best lines last so that they are painted on top of the crowd.
    const order = lines.slice().sort((a, b) => ctx.colorT(a.y) - ctx.colorT(b.y));
    for (const t of order) {
      let pts = '';
      for (const a of axes) {
        let y = a.pos(t);
        if (!isNum(y)) {
          y = slotY;
          a.inactive++;
        }
        pts += `${a.x},${r1(y)} `;
      }
      svgEl('polyline', {
        class: 'trial-line', 'data-trial-id': t.id, points: pts.trimEnd(), stroke: ctx.color(t.y),
      }, lineGroup);
    }

    const maxChars = Math.max(6, Math.floor(gap / 7.5));
    for (const a of axes) {
      const ga = svgEl('g', { class: `pc-axis ${a.kind}` }, g);
      svgEl('line', { class: 'axis-line', x1: a.x, x2: a.x, y1: top, y2: bottom }, ga);
      for (const tk of a.ticks) {
        if (tk.skip || !isNum(tk.y)) continue;
        const y = r1(tk.y);
        svgEl('line', { class: 'tick', x1: a.x - 4, x2: a.x, y1: y, y2: y }, ga);
        svgText(ga, a.x - 7, y + 4, clip(tk.text, 14), 'tick-label', 'end');
      }
      const label = svgText(ga, a.x, top - 28, clip(a.label, maxChars), 'axis-label', 'middle');
      svgTitle(label, a.label);
      if (a.log) svgText(ga, a.x, top - 14, 'log scale', 'axis-note', 'middle');
      if (a.inactive) {
        svgEl('circle', { class: 'inactive-slot', cx: a.x, cy: slotY, r: 3.5 }, ga);
        svgText(ga, a.x, slotY + 17, 'inactive', 'axis-note', 'middle');
      }
    }
    drawColorLegend(g, ctx, left, H - 40, 300);
    svg.append(g);
    sec.append(svg);
    if (!ctx.plotParams.length) {
      sec.append(noData('No tunable hyperparameters: only the objective is shown.'));
    }
    return sec;
  }

  // ---------------------------------------------------------------- 4. slices

  function sectionSlices(ctx) {
    const o = ctx.objectives[0];
    const sec = card('slices', 'Slice plots',
      `${o.name} against each hyperparameter, one point per trial with a score (${dirWord(o)}).`);
    if (!ctx.plotParams.length) {
      sec.append(noData('No data: the search space has no tunable hyperparameter.'));
      return sec;
    }
    if (!ctx.scored.length) {
      sec.append(noData('No data: no trial has a finite score yet.'));
      return sec;
    }
    const grid = h('div', { class: 'slices-grid' });
    const W = 360;
    const H = 250;
    const box = { l: 60, r: W - 14, t: 12, b: H - 46 };
    const ys = linear(ctx.yDom[0], ctx.yDom[1], box.b, box.t);
    const yTicks = ys.ticks(5);
    const dense = ctx.scored.length > DENSE;
    const rad = dense ? 2.2 : 3.6;
    for (const p of ctx.plotParams) {
      const pts = [];
      let inactive = 0;
      for (const t of ctx.scored) {
        const v = t.values[p.name];
        if (v === undefined || v === null) inactive++;
        else pts.push(t);
      }
      const kindText = p.kind === 'num' ? `${p.type}${p.log ? ', log' : ''}` : p.type;
      const cap = h('figcaption', null, h('span', { class: 'param-name' }, p.name),
        h('span', { class: 'param-kind' }, kindText),
        inactive ? h('span', { class: 'param-kind' }, `inactive in ${inactive}`) : null);
      const svg = svgRoot(W, H, `slice tip${dense ? ' dense' : ''}`, `${o.name} against ${p.name}`);
      svg.setAttribute('data-param', p.name);
      const g = document.createDocumentFragment();
      if (!pts.length) {
        svgText(g, W / 2, H / 2, 'no data', 'no-data', 'middle');
      } else {
        let xOf;
        if (p.kind === 'num') {
          const [d0, d1] = spread(p.lo, p.hi, 0.04, p.log);
          const xs = p.log ? logScale(d0, d1, box.l, box.r) : linear(d0, d1, box.l, box.r);
          let ticks = xs.ticks(4);
          if (p.isInt) ticks = ticks.filter(Number.isInteger);
          drawAxisY(g, box, ys, yTicks, o.name, 14);
          drawAxisX(g, box, xs, ticks, null);
          xOf = (t) => xs(t.values[p.name]);
        } else {
          const n = p.cats.length || 1;
          const band = (box.r - box.l) / n;
          const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor((box.r - box.l) / 40))));
          for (let i = 0; i < n; i += 2) {
            svgEl('rect', {
              class: 'strip', x: r1(box.l + i * band), y: box.t,
              width: r1(band), height: box.b - box.t,
            }, g);
          }
          drawAxisY(g, box, ys, yTicks, o.name, 14);
          svgEl('line', { class: 'axis-line', x1: box.l, x2: box.r, y1: box.b, y2: box.b }, g);
          p.cats.forEach((c, i) => {
            if (i % every !== 0) return;
            const label = svgText(g, box.l + (i + 0.5) * band, box.b + 18,
              clip(fmt(c), Math.max(3, Math.floor((band * every) / 7))), 'tick-label', 'middle');
            svgTitle(label, fmt(c));
          });
          xOf = (t) => {
            const i = p.catIndex.get(catKey(t.values[p.name]));
            const jitter = (hash01(`${t.id}\u0000${p.name}`) - 0.5) * band * 0.6;
            return box.l + (i + 0.5) * band + jitter;
          };
        }
        for (const t of pts) {
          const x = xOf(t);
          if (!isNum(x)) continue;
          svgEl('circle', {
            class: pointClass('slice-point', ctx, t), 'data-trial-id': t.id,
            cx: r1(x), cy: r1(ys(t.y)), r: ctx.best === t ? rad + 1.5 : rad,
          }, g);
        }
      }
      svg.append(g);
      grid.append(h('figure', { class: 'slice-card' }, cap, svg));
    }
    sec.append(grid);
    return sec;
  }

  // ---------------------------------------------------------------- 5. importance

  function sectionImportance(ctx) {
    const imp = asObj(ctx.data.importance);
    const method = typeof imp.method === 'string' && imp.method ? imp.method : 'PED-ANOVA';
    const q = isNum(imp.quantile) ? imp.quantile : 0.1;
    const basis = isNum(imp.trials) && imp.trials > 0
      ? ` Computed from ${fmtInt(imp.trials)} completed trials.` : '';
    const sec = card('importance', 'Hyperparameter importance',
      `${method}: how differently the best ${fmtPct(q)} of trials are distributed from all trials `
      + `(shares sum to 100%).${basis}`);
    const vals = asArray(imp.values).filter((v) => isObj(v) && isNum(v.importance));
    if (!vals.length) {
      sec.append(noData('No data: not enough completed trials to estimate importance.'));
      return sec;
    }
    const top = Math.max(...vals.map((v) => v.importance)) || 1;
    const list = h('div', { class: 'importance-list' });
    for (const v of vals) {
      const name = v.name === undefined || v.name === null ? '?' : String(v.name);
      const bar = h('div', {
        class: 'importance-bar', 'data-param': name, title: fmtPct(v.importance),
      });
      bar.style.width = `${Math.max(0, Math.min(100, (v.importance / top) * 100)).toFixed(2)}%`;
      list.append(h('div', { class: 'importance-name' }, name),
        h('div', { class: 'importance-track' }, bar),
        h('div', { class: 'importance-value' }, fmtPct(v.importance)));
    }
    sec.append(list);
    return sec;
  }

  // ---------------------------------------------------------------- 6. pareto

  function sectionPareto(ctx) {
    if (!ctx.multi) return null;
    const [o1, o2] = ctx.objectives;
    const extra = ctx.objectives.length > 2
      ? ` Showing the first two of ${ctx.objectives.length} objectives.` : '';
    const sec = card('pareto', 'Pareto front',
      `${o1.name} (${dirWord(o1)}) against ${o2.name} (${dirWord(o2)}); bold points are `
      + `non-dominated, joined by the front's step line.${extra}`);
    const pts = ctx.trials.filter((t) => isNum(t.objs[0]) && isNum(t.objs[1]));
    if (!pts.length) {
      sec.append(emptyChart('pareto-chart', 'No data: no trial has values for both objectives.'));
      return sec;
    }
    const W = 1000;
    const H = 460;
    const box = { l: 78, r: W - 20, t: 14, b: H - 50 };
    const ext = (i) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const t of pts) {
        lo = Math.min(lo, t.objs[i]);
        hi = Math.max(hi, t.objs[i]);
      }
      return spread(lo, hi, 0.05);
    };
    const [x0, x1] = ext(0);
    const [y0, y1] = ext(1);
    const xs = linear(x0, x1, box.l, box.r);
    const ys = linear(y0, y1, box.b, box.t);
    const dense = pts.length > DENSE;
    const svg = svgRoot(W, H, `pareto-chart tip${dense ? ' dense' : ''}`,
      `Pareto front of ${o1.name} and ${o2.name}`);
    const g = document.createDocumentFragment();
    drawAxisY(g, box, ys, ys.ticks(6), `${o2.name} ${arrow(o2)}`, 18);
    drawAxisX(g, box, xs, xs.ticks(10), `${o1.name} ${arrow(o1)}`);

    const front = pts.filter((t) => ctx.front.has(t.id))
      .sort((a, b) => a.objs[0] - b.objs[0] || a.objs[1] - b.objs[1]);
    if (front.length > 1) {
      let d = '';
      front.forEach((t, i) => {
        const x = r1(xs(t.objs[0]));
        const y = r1(ys(t.objs[1]));
        if (i === 0) {
          d = `M${x},${y}`;
          return;
        }
        // The corner lies on the dominated side, which depends only on the x direction.
        d += o1.max ? `V${y}H${x}` : `H${x}V${y}`;
      });
      svgEl('path', { class: 'pareto-step', d }, g);
    }
    const rad = dense ? 2.6 : 4;
    for (const t of pts) {
      if (ctx.front.has(t.id)) continue;
      svgEl('circle', {
        class: 'pareto-point', 'data-trial-id': t.id, opacity: 0.3,
        cx: r1(xs(t.objs[0])), cy: r1(ys(t.objs[1])), r: rad,
      }, g);
    }
    for (const t of front) {
      svgEl('circle', {
        class: 'pareto-point front', 'data-trial-id': t.id,
        cx: r1(xs(t.objs[0])), cy: r1(ys(t.objs[1])), r: rad + 1.5,
      }, g);
    }
    svg.append(g);
    sec.append(svg, legend([
      ['dot front', `Pareto front (${front.length})`],
      ['dot faint', `dominated (${pts.length - front.length})`],
    ]));
    return sec;
  }

  // ---------------------------------------------------------------- 7. hyperband

  function sectionHyperband(ctx) {
    const hb = ctx.trials.filter((t) => isNum(t.values['tuner/bracket']));
    if (!hb.length) return null;
    const o = ctx.objectives[0];
    const sec = card('hyperband', 'Hyperband brackets',
      `${o.name} by successive-halving round, coloured by bracket (${dirWord(o)}).`);
    const brackets = [...new Set(hb.map((t) => t.values['tuner/bracket']))].sort((a, b) => a - b);
    const bIndex = new Map(brackets.map((b, i) => [b, i]));
    const roundOf = (t) => numOrNull(t.values['tuner/round']);
    const rounds = [...new Set(hb.map(roundOf).filter(isNum))].sort((a, b) => a - b);
    const colorOf = (t) => CATEGORICAL[bIndex.get(t.values['tuner/bracket']) % CATEGORICAL.length];
    const pts = hb.filter((t) => isNum(t.y) && roundOf(t) !== null);

    if (!pts.length) {
      sec.append(emptyChart('hyperband-chart', 'No data: no bracketed trial has a score yet.'));
    } else {
      const W = 1000;
      const H = 360;
      const box = { l: 78, r: W - 20, t: 14, b: H - 50 };
      const xs = linear(rounds[0] - 0.5, rounds[rounds.length - 1] + 0.5, box.l, box.r);
      const ys = linear(ctx.yDom[0], ctx.yDom[1], box.b, box.t);
      const dense = pts.length > DENSE;
      const svg = svgRoot(W, H, `hyperband-chart tip${dense ? ' dense' : ''}`,
        `${o.name} by Hyperband round and bracket`);
      const g = document.createDocumentFragment();
      drawAxisY(g, box, ys, ys.ticks(6), o.name, 18);
      drawAxisX(g, box, xs, rounds, 'round', (r) => `round ${fmt(r)}`);
      // Each bracket gets its own lane inside a round so colours do not hide each other.
      const lane = 0.8 / brackets.length;
      const rad = dense ? 2.6 : 4;
      for (const t of pts) {
        const bi = bIndex.get(t.values['tuner/bracket']);
        const jitter = (hash01(t.id) - 0.5) * lane * 0.6;
        const x = roundOf(t) - 0.4 + (bi + 0.5) * lane + jitter;
        const c = svgEl('circle', {
          class: pointClass('hyperband-point', ctx, t), 'data-trial-id': t.id,
          cx: r1(xs(x)), cy: r1(ys(t.y)), r: rad,
        }, g);
        c.style.setProperty('--c', colorOf(t));
      }
      svg.append(g);
      sec.append(svg, legend(brackets.map((b, i) => [
        'dot colored', `bracket ${fmt(b)}`, CATEGORICAL[i % CATEGORICAL.length],
      ])));
    }

    const counts = new Map();
    const epochs = new Map();
    for (const t of hb) {
      const key = `${t.values['tuner/bracket']}|${roundOf(t)}`;
      counts.set(key, (counts.get(key) || 0) + 1);
      const e = t.values['tuner/epochs'];
      if (isNum(e)) epochs.set(key, e);
    }
    const table = h('table', { class: 'hyperband-counts' });
    const hr = h('tr', null, h('th', { scope: 'col' }, 'bracket'));
    for (const r of rounds) hr.append(h('th', { scope: 'col' }, `round ${fmt(r)}`));
    hr.append(h('th', { scope: 'col' }, 'total'));
    table.append(h('thead', null, hr));
    // No <tbody> here either (see the search-space table).
    for (const b of brackets) {
      const tr = h('tr', null, h('th', { scope: 'row' }, fmt(b)));
      let sum = 0;
      for (const r of rounds) {
        const key = `${b}|${r}`;
        const n = counts.get(key) || 0;
        sum += n;
        const e = epochs.get(key);
        const title = e === undefined ? null : `${fmt(e)} epochs`;
        tr.append(h('td', { title }, n ? String(n) : '·'));
      }
      tr.append(h('td', { class: 'total' }, String(sum)));
      table.append(tr);
    }
    sec.append(h('p', { class: 'caption' }, 'Trials per bracket and round (hover for epochs):'),
      h('div', { class: 'table-wrap small' }, table));
    return sec;
  }

  // ---------------------------------------------------------------- 8. trials table

  // Booleans sort as numbers; unusable values become null, which always sorts last.
  function sortKey(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'string') return v;
    return JSON.stringify(v);
  }

  function compareKeys(a, b) {
    const an = typeof a === 'number';
    const bn = typeof b === 'number';
    if (an && bn) return a - b;
    if (an !== bn) return an ? -1 : 1;
    return collator.compare(a, b);
  }

  function valueCell(td, v, se) {
    if (v === undefined || v === null) {
      td.textContent = '—';
      td.classList.add('empty');
      return;
    }
    // One text node per cell: the table is the bulk of the page's nodes for big studies.
    td.textContent = se > 0 ? `${fmt(v)} ± ${fmt(se, 2)}` : fmt(v);
  }

  function trialColumns(ctx) {
    const cols = [
      {
        label: 'trial', cls: 'id', key: (t) => t.id,
        render: (td, t) => {
          td.textContent = t.id;
          if (ctx.best === t) td.append(h('span', { class: 'badge' }, 'best'));
        },
      },
      { label: '#', cls: 'num', key: (t) => t.number, render: (td, t) => valueCell(td, t.number) },
      {
        label: 'status', key: (t) => t.status,
        render: (td, t) => td.append(h('span', { class: `status status-${t.status.toLowerCase()}` },
          t.status)),
      },
    ];
    if (!ctx.multi || ctx.trials.some((t) => t.score !== null)) {
      cols.push({
        label: 'score', cls: 'num', title: 'score ± standard error', key: (t) => t.score,
        render: (td, t) => valueCell(td, t.score, t.scoreSe),
      }, {
        label: 'estimated', cls: 'num', title: 'noise-aware estimate used for ranking',
        key: (t) => t.est, render: (td, t) => valueCell(td, t.est),
      });
    }
    for (const p of ctx.declared.concat(ctx.extra)) {
      cols.push({
        label: p.name,
        cls: p.kind === 'num' ? 'num param' : 'param',
        title: `hyperparameter (${p.type})`,
        key: (t) => t.values[p.name],
        render: (td, t) => {
          valueCell(td, t.values[p.name]);
          if (!(p.name in t.values)) td.title = 'inactive';
        },
      });
    }
    const metricNames = ctx.objectives.map((o) => o.name);
    for (const t of ctx.trials) {
      for (const k of Object.keys(t.metrics)) if (!metricNames.includes(k)) metricNames.push(k);
    }
    for (const m of metricNames) {
      if (!ctx.trials.some((t) => m in t.metrics)) continue;
      const o = ctx.objectives.find((x) => x.name === m);
      cols.push({
        label: o ? `${m} ${arrow(o)}` : m, cls: 'num metric', title: o ? 'objective' : 'metric',
        key: (t) => t.metrics[m],
        render: (td, t) => valueCell(td, t.metrics[m], asObj(t.unc[m]).stderr),
      });
    }
    cols.push({
      label: 'duration', cls: 'num', key: (t) => t.duration,
      render: (td, t) => {
        td.textContent = fmtDuration(t.duration);
      },
    }, {
      label: 'message', cls: 'message', key: (t) => t.message,
      render: (td, t) => {
        const m = t.message;
        if (m === null) return;
        const firstLine = m.split('\n', 1)[0];
        if (m.length <= 80 && firstLine === m) {
          td.textContent = m;
        } else {
          td.append(h('details', null, h('summary', null, clip(firstLine, 80)), h('pre', null, m)));
        }
      },
    });
    return cols;
  }

  function sectionTrials(ctx) {
    const sec = card('trials', 'Trials',
      'Every trial in creation order. Click a header to sort (again to reverse); type to filter.');
    const cols = trialColumns(ctx);
    const input = h('input', {
      type: 'search', class: 'filter', placeholder: 'Filter rows (all words must match)…',
      'aria-label': 'Filter trials',
    });
    const count = h('span', { class: 'filter-count' });
    sec.append(h('div', { class: 'table-tools' }, input, count));

    const table = h('table', { class: 'trials-table' });
    const headRow = h('tr');
    const ths = cols.map((c) => {
      const th = h('th', { scope: 'col', tabindex: '0', class: c.cls, title: c.title }, c.label);
      headRow.append(th);
      return th;
    });
    table.append(h('thead', null, headRow));
    const tbody = h('tbody');
    table.append(tbody);

    const rows = [];
    const rowById = new Map();
    for (const t of ctx.trials) {
      const tr = document.createElement('tr');
      tr.setAttribute('data-trial-id', t.id);
      let cls = `row-${t.status.toLowerCase()}`;
      if (ctx.best === t) cls += ' best';
      else if (ctx.nearBest.has(t.id)) cls += ' near-best';
      tr.className = cls;
      const keys = new Array(cols.length);
      for (let ci = 0; ci < cols.length; ci++) {
        const td = document.createElement('td');
        if (cols[ci].cls) td.className = cols[ci].cls;
        cols[ci].render(td, t);
        tr.appendChild(td);
        keys[ci] = sortKey(cols[ci].key(t));
      }
      tbody.appendChild(tr);
      rows.push({ tr, keys, idx: rows.length, text: null });
      if (!rowById.has(t.id)) rowById.set(t.id, tr);
    }
    sec.append(h('div', { class: 'table-wrap' }, table));
    if (!rows.length) sec.append(noData('No data: no trial has been recorded.'));

    const showCount = (n) => {
      const noun = rows.length === 1 ? 'trial' : 'trials';
      count.textContent = n === rows.length ? `${n} ${noun}` : `${n} of ${rows.length} ${noun}`;
    };
    showCount(rows.length);

    const state = { col: -1, dir: 1 };
    const sortBy = (ci) => {
      state.dir = state.col === ci ? -state.dir : 1;
      state.col = ci;
      const dir = state.dir;
      const sorted = rows.slice().sort((a, b) => {
        const ka = a.keys[ci];
        const kb = b.keys[ci];
        if (ka === null || kb === null) {
          if (ka === kb) return a.idx - b.idx;
          return ka === null ? 1 : -1;
        }
        return compareKeys(ka, kb) * dir || a.idx - b.idx;
      });
      const frag = document.createDocumentFragment();
      for (const r of sorted) frag.appendChild(r.tr);
      tbody.appendChild(frag);
      ths.forEach((th, i) => {
        if (i === ci) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
        else th.removeAttribute('aria-sort');
      });
    };
    ths.forEach((th, ci) => {
      th.addEventListener('click', () => sortBy(ci));
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          sortBy(ci);
        }
      });
    });

    const applyFilter = () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const r of rows) {
        // Computed on first use: most readers never filter.
        if (r.text === null) r.text = r.tr.textContent.toLowerCase();
        const ok = words.every((w) => r.text.includes(w));
        if (r.tr.hidden === ok) r.tr.hidden = !ok;
        if (ok) shown++;
      }
      showCount(shown);
    };
    input.addEventListener('input', applyFilter);

    ctx.table = {
      reveal(id) {
        const tr = rowById.get(id);
        if (!tr) return;
        if (tr.hidden) {
          input.value = '';
          applyFilter();
        }
        tr.scrollIntoView({ block: 'center', behavior: 'smooth' });
        tr.classList.remove('flash');
        // Restarting the animation needs a frame in between.
        requestAnimationFrame(() => tr.classList.add('flash'));
        setTimeout(() => tr.classList.remove('flash'), 2000);
      },
    };
    return sec;
  }

  // ---------------------------------------------------------------- interactions

  // One delegated tooltip instead of thousands of <title> nodes keeps big studies fast.
  function wireInteractions(root, ctx) {
    const tip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
    root.append(tip);
    let current = null;
    const target = (e) => (e.target instanceof Element
      ? e.target.closest('svg.tip [data-trial-id]') : null);
    root.addEventListener('mouseover', (e) => {
      const el = target(e);
      if (el === current) return;
      if (current) current.classList.remove('hover');
      current = el;
      const t = el ? ctx.byId.get(el.getAttribute('data-trial-id')) : null;
      if (!t) {
        tip.hidden = true;
        return;
      }
      el.classList.add('hover');
      tip.textContent = `${trialSummary(ctx, t)}\n(click to show in the table)`;
      tip.hidden = false;
    });
    root.addEventListener('mousemove', (e) => {
      if (tip.hidden) return;
      const x = Math.min(e.clientX + 14, window.innerWidth - 300);
      const y = e.clientY + 16 > window.innerHeight - 200 ? e.clientY - 200 : e.clientY + 16;
      tip.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, y)}px)`;
    });
    root.addEventListener('mouseleave', () => {
      tip.hidden = true;
      if (current) current.classList.remove('hover');
      current = null;
    });
    root.addEventListener('click', (e) => {
      const el = e.target instanceof Element ? e.target.closest('svg [data-trial-id]') : null;
      if (el && ctx.table) ctx.table.reveal(el.getAttribute('data-trial-id'));
    });
  }

  // ---------------------------------------------------------------- main

  function errorBox(err, where) {
    const text = err && err.stack ? String(err.stack) : String(err);
    return h('div', { class: 'report-error', role: 'alert' },
      h('strong', null, `The report could not be rendered${where ? ` (${where})` : ''}.`),
      h('pre', null, text));
  }

  function render() {
    const node = document.getElementById('report-data');
    if (!node) throw new Error('missing <script id="report-data">');
    const ctx = buildContext(JSON.parse(node.textContent || 'null'));
    let root = document.getElementById('report');
    if (!root) {
      root = h('div', { id: 'report' });
      document.body.prepend(root);
    }
    // Sections are built detached and attached once, so layout runs a single time.
    const frag = document.createDocumentFragment();
    const errors = [];
    const builders = [
      ['overview', sectionOverview], ['history', sectionHistory], ['parallel', sectionParallel],
      ['slices', sectionSlices], ['importance', sectionImportance], ['pareto', sectionPareto],
      ['hyperband', sectionHyperband], ['trials', sectionTrials],
    ];
    // One broken section must not hide the others; the first error is rethrown afterwards.
    for (const [name, build] of builders) {
      try {
        const sec = build(ctx);
        if (sec) frag.append(sec);
      } catch (err) {
        if (err && typeof err === 'object') err.reportShown = true;
        errors.push(err);
        frag.append(errorBox(err, name));
      }
    }
    wireInteractions(root, ctx);
    root.append(frag);
    if (errors.length) throw errors[0];
  }

  try {
    render();
    document.body.dataset.ready = 'true';
  } catch (err) {
    try {
      if (!(err && err.reportShown)) {
        const host = document.getElementById('report') || document.body;
        host.prepend(errorBox(err, null));
      }
      document.body.dataset.ready = 'error';
    } catch (ignored) {
      // The original error matters more than a failure to display it.
    }
    throw err;
  } finally {
    if (document.body) document.body.dataset.renderMs = String(r1(performance.now() - T0));
  }
})();
