/*
 * figure.js - the tutorial's picture of a stage's run: the timeline of a
 * committed trace, as an SVG file of its own.
 *
 *     node trace/figure.js TRACE LANG [FIRST LAST] > SVG
 *
 * LANG is en or ko (the legend's words); FIRST and LAST (from 1) draw
 * only those steps, for a run too long to read whole.  The output
 * depends on nothing but its arguments, so `sh trace/figures.sh check`
 * can draw it again and compare.
 */
'use strict';
const fs = require('fs');
const M = require('./model.js');

const [tracePath, lang = 'en', first, last] = process.argv.slice(2);
if (!tracePath || !M.LABELS[lang]) {
    console.error('usage: node trace/figure.js TRACE en|ko [FIRST LAST] > SVG');
    process.exit(2);
}
const whole = M.build(M.parse(fs.readFileSync(tracePath, 'utf8')));
const from = first ? Number(first) - 1 : 0;
const to = last ? Math.min(Number(last), whole.steps.length) : whole.steps.length;
const part = Object.assign({}, whole, { steps: whole.steps.slice(from, to) });
const stage = whole.meta.stage || '?';
const title = lang === 'ko'
    ? `${stage}단계의 실행: ` +
      (from > 0 || to < whole.steps.length ? `${whole.steps.length}단계 중 ${from + 1}~${to}단계` : `${to}단계 전체`)
    : `Stage ${stage} (${whole.meta.title || ''}) as it ran: ` +
      (from > 0 || to < whole.steps.length ? `steps ${from + 1} to ${to} of ${whole.steps.length}` : `all ${to} steps`);
process.stdout.write(M.timelineSvg(part, { title, labels: M.LABELS[lang], offset: from, width: 900 }));
