/*
 * check_pages.js - a page of `make trace` shows what its trace says.
 *
 *     node trace/check_pages.js CHROMIUM TRACE PAGE [STEP...]
 *
 * Opens PAGE#step=K in headless Chromium for each STEP (default: the
 * first and the last; "mid" is the middle one), reads what the page
 * shows (the data- attributes page.js puts on what it draws), and
 * compares it with a replay of TRACE written here, apart from model.js,
 * so that a mistake in the model shows up as a disagreement: the event
 * of the step, the ready queue, the wait tables, each task's name and
 * state, how many output lines are out.  It also checks that the first
 * and the last step do not show the same state.  Exit status 1 on any
 * difference, with one line per difference.
 */
'use strict';
const { execFile } = require('child_process');
const fs = require('fs');
const path = require('path');

const [chromium, tracePath, pagePath, ...wanted] = process.argv.slice(2);
if (!pagePath) {
    console.error('usage: node trace/check_pages.js CHROMIUM TRACE PAGE [STEP...]');
    process.exit(2);
}

/* The replay: the steps are the trace's lines but "meta" and "source". */
const lines = fs.readFileSync(tracePath, 'utf8').split('\n').filter((l, i, all) =>
    !(l === '' && i === all.length - 1) && !/^@ev (meta|source) /.test(l));
function replay(k) {
    const tasks = {}, ready = [], recv = {}, send = {};
    let output = 0, kind = '';
    const unqueue = id => { const i = ready.indexOf(id); if (i >= 0) ready.splice(i, 1); };
    const unpark = id => [recv, send].forEach(t => {
        for (const fd in t) if (t[fd] === id) delete t[fd];
    });
    for (const line of lines.slice(0, k)) {
        if (!line.startsWith('@ev ')) {
            output++;
            kind = 'out';
            continue;
        }
        const w = line.split(' ');
        kind = w[1];
        const id = w[2];
        switch (kind) {
        case 'spawn': tasks[id] = { name: w[3], state: 'ready' }; ready.push(id); break;
        case 'resume': unqueue(id); unpark(id); tasks[id].state = 'running'; break;
        case 'yield':
            if (w[3] === 'ready') { tasks[id].state = 'ready'; ready.push(id); }
            else if (w[3] === 'done') tasks[id].state = 'ending';
            else tasks[id].state = w[3];
            break;
        case 'park': (w[3] === 'recv' ? recv : send)[w[4]] = id; tasks[id].state = w[3]; break;
        case 'wake': unpark(id); tasks[id].state = 'ready'; ready.push(id); break;
        case 'sleep': unqueue(id); tasks[id].state = 'sleep'; break;
        case 'done': unqueue(id); unpark(id); tasks[id].state = 'done'; break;
        }
    }
    const table = t => Object.keys(t).sort((a, b) => a - b).map(fd => fd + ':' + t[fd]).join(' ');
    return { kind, ready: ready.join(' '), recv: table(recv), send: table(send), output, tasks };
}

/* What the page shows, from its DOM after the script ran. */
function attr(tag, name) {
    const m = new RegExp(' ' + name + '="([^"]*)"').exec(tag);
    return m ? m[1].replace(/&amp;/g, '&') : null;
}
function shown(dom) {
    const tag = re => (re.exec(dom) || [''])[0];
    const ready = tag(/<section id="ready"[^>]*>/), waits = tag(/<section id="waits"[^>]*>/);
    const body = tag(/<body[^>]*>/), narration = tag(/<div id="narration"[^>]*>/);
    const out = tag(/<section id="output"[^>]*>/);
    const sortTable = t => (t || '').split(' ').filter(Boolean)
        .sort((a, b) => parseInt(a) - parseInt(b)).join(' ');
    const tasks = {};
    for (const m of dom.matchAll(/<div class="card[^"]*"[^>]*>/g))
        tasks[attr(m[0], 'data-id')] = { name: attr(m[0], 'data-name'), state: attr(m[0], 'data-state') };
    return { step: Number(attr(body, 'data-step')), steps: Number(attr(body, 'data-steps')),
             kind: attr(narration, 'data-kind'), ready: attr(ready, 'data-ids'),
             recv: sortTable(attr(waits, 'data-recv')), send: sortTable(attr(waits, 'data-send')),
             output: Number(attr(out, 'data-count')), tasks };
}

/* Headless Chromium, driven through the DevTools protocol on a pipe
 * (--remote-debugging-pipe: JSON messages ending in a NUL byte, ours on
 * its fd 3, its on fd 4): one browser for every step, where a new
 * browser per step costs seconds on a loaded machine. */
function browser() {
    const { spawn } = require('child_process');
    const profile = path.resolve(pagePath) + '.profile';
    const child = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                                   '--remote-debugging-pipe', '--user-data-dir=' + profile],
                        { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    let next = 0, buffer = '';
    const waiting = {}, listeners = [];
    child.stdio[4].on('data', chunk => {
        buffer += chunk.toString('utf8');
        let end;
        while ((end = buffer.indexOf('\0')) >= 0) {
            const message = JSON.parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 1);
            if (message.id !== undefined && waiting[message.id]) {
                waiting[message.id](message);
                delete waiting[message.id];
            } else {
                listeners.forEach(l => l(message));
            }
        }
    });
    const send = (method, params, sessionId) => new Promise((resolve, reject) => {
        const id = ++next;
        waiting[id] = m => (m.error ? reject(new Error(method + ': ' + m.error.message)) : resolve(m.result));
        child.stdio[3].write(JSON.stringify({ id, method, params: params || {}, sessionId }) + '\0');
    });
    const close = () => new Promise(resolve => {
        const gone = () => {
            fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
            resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null)
            return gone();
        child.on('exit', gone);
        child.kill();
    });
    return { send, close, child };
}

async function loader() {
    const b = browser();
    const timer = setTimeout(async () => {
        console.log('FAIL chromium did not answer within 60 s');
        await b.close();
        process.exit(1);
    }, 60000);
    const { targetId } = await b.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await b.send('Target.attachToTarget', { targetId, flatten: true });
    const evaluate = async expression => (await b.send('Runtime.evaluate',
        { expression, returnByValue: true }, sessionId)).result.value;
    const sleep = ms => new Promise(r => setTimeout(r, ms));
    return {
        /* PAGE#step=K, opened afresh (about:blank between, so that the
         * page starts from its address, as a reader's browser would). */
        async load(k) {
            await b.send('Page.navigate', { url: 'about:blank' }, sessionId);
            await b.send('Page.navigate', { url: 'file://' + path.resolve(pagePath) + '#step=' + k },
                         sessionId);
            for (let i = 0; i < 400; i++) {
                const ready = await evaluate('document.readyState === "complete" && ' +
                                             'document.body && document.body.getAttribute("data-step")');
                if (ready)
                    return evaluate('document.documentElement.outerHTML');
                await sleep(50);
            }
            throw new Error('the page did not draw step ' + k + ' within 20 s');
        },
        /* Press KEY on the page as it is; the step it shows then, and its address. */
        async press(key, code) {
            for (const type of ['keyDown', 'keyUp'])
                await b.send('Input.dispatchKeyEvent', { type, key, code: key,
                    windowsVirtualKeyCode: code, nativeVirtualKeyCode: code }, sessionId);
            return evaluate('document.body.getAttribute("data-step") + " " + location.hash');
        },
        close() { clearTimeout(timer); return b.close(); },
    };
}

async function main() {
    const total = lines.length;
    /* A short trace (an untouched stage) has fewer steps than asked for. */
    const steps = [...new Set((wanted.length ? wanted : ['1', 'last']).map(s =>
        s === 'last' ? total : s === 'mid' ? Math.ceil(total / 2) : Math.min(Number(s), total)))];
    const problems = [];
    const seen = {};
    const browser = await loader();
    const doms = [];
    try {
        for (const k of steps)
            doms.push(await browser.load(k));
        /* The keys, from the first step: -> one on, End the last, <- one back. */
        if (total > 2) {
            await browser.load(1);
            const keys = [['ArrowRight', 39, 2], ['End', 35, total], ['ArrowLeft', 37, total - 1]];
            for (const [key, code, want] of keys) {
                const got = await browser.press(key, code);
                if (got !== want + ' #step=' + want)
                    problems.push(`key ${key}: the page shows step and address "${got}", not "${want} #step=${want}"`);
            }
        }
    } finally {
        await browser.close();
    }
    steps.forEach((k, i) => {
        const page = shown(doms[i]), want = replay(k);
        const differ = (what, got, expected) => {
            if (String(got) !== String(expected))
                problems.push(`step ${k}: ${what}: the page shows "${got}", the trace says "${expected}"`);
        };
        differ('step shown', page.step, k);
        differ('number of steps', page.steps, total);
        differ('event', page.kind, want.kind);
        differ('ready queue', page.ready, want.ready);
        differ('recv_wait', page.recv, want.recv);
        differ('send_wait', page.send, want.send);
        differ('output lines', page.output, want.output);
        for (const id in want.tasks) {
            const t = page.tasks[id];
            if (!t) {
                problems.push(`step ${k}: task ${id} (${want.tasks[id].name}) has no card`);
                continue;
            }
            differ(`task ${id}'s name`, t.name, want.tasks[id].name);
            differ(`task ${id}'s state`, t.state, want.tasks[id].state);
        }
        seen[k] = JSON.stringify(page.tasks) + page.ready + page.recv + page.send + page.output;
        console.log(`step ${k} of ${total}: ${want.kind}; ready [${want.ready}]; recv_wait [${want.recv}]; ` +
                    `send_wait [${want.send}]; ${Object.keys(want.tasks).length} task(s); ` +
                    `${want.output} output line(s)`);
    });
    if (total > 1 && seen[1] !== undefined && seen[total] !== undefined && seen[1] === seen[total])
        problems.push('the first and the last step show the same state');
    if (Object.keys(replay(total).tasks).length === 0)
        problems.push('the trace names no task: nothing was spawned');
    problems.forEach(p => console.log('FAIL ' + p));
    console.log(problems.length ? `${problems.length} difference(s) in ${pagePath}`
                                : `${pagePath} shows what ${tracePath} says at steps ${steps.join(', ')}`);
    process.exit(problems.length ? 1 : 0);
}
main().catch(e => { console.log('FAIL ' + e.message); process.exit(1); });
