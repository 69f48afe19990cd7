/*
 * model.js - from a structured trace to the scheduler's state, step by step.
 *
 * `make trace N` runs a stage with COURSE_TRACE_EVENTS=1: every line the
 * program writes is either an event, "@ev KIND FIELDS...", or one of its
 * own output lines (the format: TUTORIAL.md, "The trace format").  This
 * module turns those lines into one state per step: the ready queue,
 * recv_wait and send_wait, every task's state and resume point, the
 * last select() with its answer, the output so far.  It knows no HTML:
 * the page (page.js) draws its states, figure.js draws its timeline as
 * the tutorial's pictures, and model.test.js checks it with node --test.
 * It runs unchanged in a browser (a global TraceModel) and in node.
 */
(function (root, factory) {
    if (typeof module === 'object' && module.exports)
        module.exports = factory();
    else
        root.TraceModel = factory();
})(typeof self !== 'undefined' ? self : this, function () {
    'use strict';

    var PREFIX = '@ev ';

    /* Events that describe the run but are not steps of it. */
    var NOT_STEPS = { meta: true, source: true };

    function fdList(text) {
        if (text === undefined || text === '-' || text === '')
            return [];
        return text.split(',').map(Number);
    }

    /* One line of the trace as an event: {kind, ...fields, text}. */
    function parseLine(line) {
        if (line.slice(0, PREFIX.length) !== PREFIX)
            return { kind: 'out', text: line };
        var rest = line.slice(PREFIX.length);
        var words = rest.split(' ');
        var kind = words[0];
        var tail = function (n) { return words.slice(n).join(' '); };
        var e = { kind: kind, text: rest };
        switch (kind) {
        case 'spawn':
            e.id = Number(words[1]);
            e.name = words[2] || '?';
            break;
        case 'resume':
            e.id = Number(words[1]);
            e.file = words[2];
            e.line = Number(words[3]);
            break;
        case 'yield':
            e.id = Number(words[1]);
            e.reason = words[2];
            e.fd = Number(words[3]);
            e.line = Number(words[4]);
            break;
        case 'park':
        case 'wake':
            e.id = Number(words[1]);
            e.reason = words[2];
            e.fd = Number(words[3]);
            break;
        case 'select':
            e.recv = fdList(words[1]);
            e.send = fdList(words[2]);
            e.waiting = Number(words[3]);
            e.sleeping = Number(words[4] || 0);
            e.backend = words[5] || null;  /* Going further: poll, epoll, select */
            break;
        case 'sleep':
        case 'done':
            e.id = Number(words[1]);
            break;
        case 'listen':
            e.fd = Number(words[1]);
            break;
        case 'todo':
            e.exercise = words[1];
            e.what = tail(2);
            break;
        case 'client':
            e.client = Number(words[1]);
            e.action = words[2];
            e.detail = tail(3);
            break;
        case 'end':
            e.how = words[1];          /* exit, signal, timeout, stopped */
            e.code = words[2];
            e.detail = tail(3);
            break;
        case 'meta':
            e.key = words[1];
            e.value = tail(2);
            break;
        case 'source':
            e.file = words[1];
            e.line = Number(words[2]);
            e.source = tail(3);
            break;
        case 'note':
        case 'interrupted':
            e.detail = tail(1);
            break;
        default:
            e.kind = 'note';
            e.detail = rest;
        }
        return e;
    }

    function parse(text) {
        var lines = text.split('\n');
        if (lines.length > 0 && lines[lines.length - 1] === '')
            lines.pop();
        return lines.map(parseLine);
    }

    function copyTask(t) {
        var c = {};
        for (var k in t)
            c[k] = t[k];
        return c;
    }

    /*
     * build(events) -> {steps, tasks, meta, sources, end}
     *
     * steps[k] (k from 0) is the state after the k-th step's event:
     *   event     the event itself
     *   running   the id of the task whose step runs, or null
     *   ready     the ready queue, ids in order
     *   recvWait  {fd: id}, sendWait {fd: id}: the wait tables
     *   tasks     {id: {id, name, state, fd, parked, file, line, ...}}
     *             state: ready, running, recv, send, sleep, done
     *   select    the last select(): {step, recv, send, readyRecv,
     *             readySend, answered} (answered: its wakes are in)
     *   output    how many output lines are out by now
     *   todos     the unfinished exercises seen so far
     *   clients   {N: "ACTION DETAIL"}: what make trace's client N did last
     */
    function build(events) {
        var meta = {}, sources = {}, order = [];
        var tasks = {}, ready = [], recvWait = {}, sendWait = {};
        var running = null, select = null, output = [], todos = [], clients = {};
        var steps = [], end = null;

        function task(id) {
            if (!tasks[id]) {
                /* An event about a task never spawned (a learner's
                 * scheduler that skips spawn()): draw it anyway. */
                tasks[id] = { id: id, name: 'task ' + id, state: 'ready', fd: -1,
                              parked: false, file: null, line: 0, resumes: 0 };
                order.push(id);
            }
            return tasks[id];
        }
        function unqueue(id) {
            var i = ready.indexOf(id);
            if (i >= 0)
                ready.splice(i, 1);
        }
        function unpark(id) {
            [recvWait, sendWait].forEach(function (table) {
                for (var fd in table)
                    if (table[fd] === id)
                        delete table[fd];
            });
        }

        events.forEach(function (e) {
            if (e.kind === 'meta') {
                meta[e.key] = e.value;
                return;
            }
            if (e.kind === 'source') {
                sources[e.file + ':' + e.line] = e.source;
                return;
            }
            var t;
            /* Each new event of the program ends the answer of the
             * select() before it, unless it is one more of its wakes (a
             * client's line comes from another process, while select()
             * waits: it ends nothing; nor does the end of a run cut short
             * while select() waited). */
            if (select && !select.answered && e.kind !== 'wake' && e.kind !== 'client' &&
                e.kind !== 'end')
                select.answered = true;
            switch (e.kind) {
            case 'spawn':
                t = task(e.id);
                t.name = e.name;
                t.state = 'ready';
                ready.push(e.id);
                break;
            case 'resume':
                t = task(e.id);
                unqueue(e.id);
                unpark(e.id);
                if (running !== null && tasks[running] && tasks[running].state === 'running')
                    tasks[running].state = 'ready';
                t.state = 'running';
                t.file = e.file;
                t.from = e.line;
                t.resumes++;
                running = e.id;
                break;
            case 'yield':
                t = task(e.id);
                t.line = e.line;
                t.reason = e.reason;
                if (e.reason === 'ready') {
                    t.state = 'ready';
                    ready.push(e.id);
                } else if (e.reason === 'recv' || e.reason === 'send') {
                    t.state = e.reason;
                    t.fd = e.fd;
                    t.parked = false;
                } else if (e.reason === 'done') {
                    t.state = 'ending';
                }
                if (running === e.id)
                    running = null;
                break;
            case 'park':
                t = task(e.id);
                t.state = e.reason;
                t.fd = e.fd;
                t.parked = true;
                (e.reason === 'recv' ? recvWait : sendWait)[e.fd] = e.id;
                break;
            case 'select':
                select = { step: steps.length, recv: e.recv, send: e.send, waiting: e.waiting,
                           sleeping: e.sleeping, readyRecv: [], readySend: [], answered: false };
                break;
            case 'wake':
                t = task(e.id);
                unpark(e.id);
                t.state = 'ready';
                t.parked = false;
                ready.push(e.id);
                if (select && !select.answered) {
                    if (e.reason === 'recv')
                        select.readyRecv = select.readyRecv.concat([e.fd]);
                    else if (e.reason === 'send')
                        select.readySend = select.readySend.concat([e.fd]);
                }
                break;
            case 'sleep':
                t = task(e.id);
                unqueue(e.id);
                t.state = 'sleep';
                break;
            case 'done':
                t = task(e.id);
                unqueue(e.id);
                unpark(e.id);
                t.state = 'done';
                if (running === e.id)
                    running = null;
                break;
            case 'out':
                output.push(e.text);
                break;
            case 'todo':
                todos.push(e.exercise);
                break;
            case 'client':
                clients[e.client] = e.action + (e.detail ? ' ' + e.detail : '');
                break;
            case 'end':
                end = e;
                if (running !== null && tasks[running])
                    tasks[running].state = 'running';
                break;
            }
            var taskCopies = {};
            order.forEach(function (id) { taskCopies[id] = copyTask(tasks[id]); });
            steps.push({
                event: e,
                running: running,
                ready: ready.slice(),
                recvWait: Object.assign({}, recvWait),
                sendWait: Object.assign({}, sendWait),
                tasks: taskCopies,
                select: select ? Object.assign({}, select) : null,
                output: output.length,
                todos: todos.slice(),
                clients: Object.assign({}, clients),
            });
        });
        return { steps: steps, order: order, meta: meta, sources: sources, output: output,
                 end: end, names: names(tasks, order) };
    }

    function names(tasks, order) {
        var out = {};
        order.forEach(function (id) { out[id] = tasks[id].name; });
        return out;
    }

    /* A task's state as one word for the timeline: running, ready, recv,
     * send, sleep, done, or "" before it exists. */
    function laneState(t) {
        if (!t)
            return '';
        if (t.state === 'ending')
            return 'running';
        return t.state;
    }

    /*
     * lanes(model) -> [{id, name, segments: [{from, to, state, fd}]}]
     * One lane per task, steps [from, to) in one state (and fd).
     */
    function lanes(model) {
        return model.order.map(function (id) {
            var segments = [], current = null;
            model.steps.forEach(function (s, k) {
                var t = s.tasks[id];
                var state = laneState(t);
                var fd = t && (state === 'recv' || state === 'send') ? t.fd : -1;
                if (current && current.state === state && current.fd === fd) {
                    current.to = k + 1;
                    return;
                }
                current = { from: k, to: k + 1, state: state, fd: fd };
                segments.push(current);
            });
            return { id: id, name: model.names[id],
                     segments: segments.filter(function (g) { return g.state !== ''; }) };
        });
    }

    /* The tasks still not done when the trace ends, and where they are. */
    function stuck(model) {
        if (model.steps.length === 0)
            return [];
        var last = model.steps[model.steps.length - 1];
        return model.order.map(function (id) { return last.tasks[id]; })
            .filter(function (t) { return t && t.state !== 'done'; });
    }

    /* About how wide TEXT is at 12px: Hangul and other wide letters
     * take about twice a Latin letter. */
    function textWidth(text) {
        var width = 0;
        for (var i = 0; i < text.length; i++)
            width += text.charCodeAt(i) >= 0x1100 ? 12 : 6.5;
        return width;
    }

    var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
    function escapeXml(text) {
        return String(text).replace(/[&<>"]/g, function (c) { return ESC[c]; });
    }

    /* How each state is drawn, with shapes as well as colours: the
     * timeline must read in black and white. */
    var LOOK = {
        running: { fill: '#1f6feb', pattern: null, height: 1.0, mark: '\u25B6' },
        ready:   { fill: '#9be9a8', pattern: 'dots', height: 0.5, mark: '\u25CF' },
        recv:    { fill: '#f9c74f', pattern: 'hatch', height: 0.8, mark: 'R' },
        send:    { fill: '#f4845f', pattern: 'cross', height: 0.8, mark: 'S' },
        sleep:   { fill: '#cdb4db', pattern: 'waves', height: 0.6, mark: 'z' },
        ending:  { fill: '#1f6feb', pattern: null, height: 1.0, mark: '\u25B6' },
        done:    { fill: 'none', pattern: null, height: 0.1, mark: '\u2713' },
    };

    /* The timeline's words, in each language of the course. */
    var LABELS = {
        en: { running: 'running', ready: 'ready (in the queue)', recv: 'R waiting to receive (recv_wait)',
              send: 'S waiting to send (send_wait)', sleep: 'z sleeping', done: 'done', step: 'step' },
        ko: { running: '실행 중', ready: '준비(큐에 있음)', recv: 'R 받기 대기(recv_wait)',
              send: 'S 보내기 대기(send_wait)', sleep: 'z 잠듦', done: '끝남', step: '단계' },
    };

    /*
     * timelineSvg(model, options) -> an SVG document as text: one lane per
     * task, a legend, step numbers.  options: width (px), labels (text for
     * the legend: {running, ready, recv, send, sleep, done, step}), title,
     * cursor (a step to mark), offset (MODEL's steps are a part of a
     * run, from step offset + 1: the step numbers say so).  The same function draws the page's
     * timeline and the tutorial's figures, so the two never disagree.
     */
    function timelineSvg(model, options) {
        options = options || {};
        var labels = options.labels || LABELS.en;
        var ls = lanes(model);
        var offset = options.offset || 0; /* the first step drawn is step offset + 1 */
        var n = Math.max(model.steps.length, 1);
        var nameWidth = 150, laneHeight = 26, top = options.title ? 30 : 8;
        var width = options.width || 900;
        var plot = width - nameWidth - 10;
        var scale = plot / n;
        var legendTop = top + ls.length * laneHeight + 26;
        var height = legendTop + 26;
        var out = [];
        var x = function (k) { return (nameWidth + k * scale).toFixed(1); };
        out.push('<svg xmlns="http://www.w3.org/2000/svg" width="' + width + '" height="' +
                 height + '" viewBox="0 0 ' + width + ' ' + height + '" font-family="sans-serif" ' +
                 'font-size="12" role="img">');
        if (options.title)
            out.push('<title>' + escapeXml(options.title) + '</title>');
        out.push('<defs>' +
            '<pattern id="dots" width="4" height="4" patternUnits="userSpaceOnUse">' +
            '<circle cx="2" cy="2" r="0.9" fill="#000" fill-opacity="0.55"/></pattern>' +
            '<pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" ' +
            'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="#000" ' +
            'stroke-opacity="0.5" stroke-width="1.2"/></pattern>' +
            '<pattern id="cross" width="5" height="5" patternUnits="userSpaceOnUse">' +
            '<path d="M0 0L5 5M5 0L0 5" stroke="#000" stroke-opacity="0.5" stroke-width="0.9"/>' +
            '</pattern>' +
            '<pattern id="waves" width="6" height="4" patternUnits="userSpaceOnUse">' +
            '<path d="M0 2Q1.5 0 3 2T6 2" fill="none" stroke="#000" stroke-opacity="0.5"/>' +
            '</pattern></defs>');
        out.push('<rect width="100%" height="100%" fill="#fff"/>');
        if (options.title)
            out.push('<text x="8" y="19" font-size="14" font-weight="bold">' +
                     escapeXml(options.title) + '</text>');
        ls.forEach(function (lane, i) {
            var y = top + i * laneHeight;
            var mid = y + laneHeight / 2;
            out.push('<g class="lane" data-task="' + lane.id + '">');
            out.push('<text x="8" y="' + (mid + 4) + '">' + escapeXml(lane.name + ' #' + lane.id) +
                     '</text>');
            out.push('<line x1="' + nameWidth + '" y1="' + mid + '" x2="' + (nameWidth + plot) +
                     '" y2="' + mid + '" stroke="#ddd"/>');
            lane.segments.forEach(function (g) {
                var look = LOOK[g.state] || LOOK.running;
                var h = (laneHeight - 6) * look.height;
                var x0 = nameWidth + g.from * scale, w = Math.max((g.to - g.from) * scale, 1);
                var yy = (mid - h / 2).toFixed(1);
                if (g.state === 'done') {
                    out.push('<rect x="' + x0.toFixed(1) + '" y="' + (mid - 1) + '" width="' +
                             w.toFixed(1) + '" height="2" fill="#999"/>');
                    return;
                }
                out.push('<rect class="' + g.state + '" x="' + x0.toFixed(1) + '" y="' + yy +
                         '" width="' + w.toFixed(1) + '" height="' + h.toFixed(1) + '" fill="' +
                         look.fill + '" stroke="#333" stroke-width="0.4"/>');
                if (look.pattern)
                    out.push('<rect x="' + x0.toFixed(1) + '" y="' + yy + '" width="' +
                             w.toFixed(1) + '" height="' + h.toFixed(1) + '" fill="url(#' +
                             look.pattern + ')"/>');
                var label = g.fd >= 0 ? look.mark + ' fd ' + g.fd : '';
                if (label && w > label.length * 7 + 4)
                    out.push('<text x="' + (x0 + 3).toFixed(1) + '" y="' + (mid + 4) +
                             '" font-size="10">' + escapeXml(label) + '</text>');
            });
            out.push('</g>');
        });
        /* Step numbers along the bottom. */
        var axisY = top + ls.length * laneHeight + 4;
        out.push('<line x1="' + nameWidth + '" y1="' + axisY + '" x2="' + (nameWidth + plot) +
                 '" y2="' + axisY + '" stroke="#333"/>');
        var every = Math.max(1, Math.pow(10, Math.ceil(Math.log10(n / 8 + 1))) / 2);
        for (var k = 0; k <= n; k += every) {
            out.push('<line x1="' + x(k) + '" y1="' + axisY + '" x2="' + x(k) + '" y2="' +
                     (axisY + 4) + '" stroke="#333"/>');
            out.push('<text x="' + x(k) + '" y="' + (axisY + 15) + '" font-size="10" ' +
                     'text-anchor="middle">' + (k === 0 ? 1 + offset : k + offset) + '</text>');
        }
        out.push('<text x="8" y="' + (axisY + 15) + '" font-size="10">' + escapeXml(labels.step) +
                 '</text>');
        if (options.cursor !== undefined && options.cursor !== null) {
            var cx = nameWidth + (options.cursor + 0.5) * scale;
            out.push('<line id="cursor" x1="' + cx.toFixed(1) + '" y1="' + (top - 4) + '" x2="' +
                     cx.toFixed(1) + '" y2="' + (axisY + 2) + '" stroke="#d00" stroke-width="2"/>');
        }
        /* The legend: shape, pattern and word for each state. */
        var lx = 8;
        ['running', 'ready', 'recv', 'send', 'sleep', 'done'].forEach(function (state) {
            var look = LOOK[state];
            var ly = legendTop + 4;
            if (state === 'done') {
                out.push('<rect x="' + lx + '" y="' + (ly + 6) + '" width="18" height="2" ' +
                         'fill="#999"/>');
            } else {
                out.push('<rect x="' + lx + '" y="' + ly + '" width="18" height="14" fill="' +
                         look.fill + '" stroke="#333" stroke-width="0.4"/>');
                if (look.pattern)
                    out.push('<rect x="' + lx + '" y="' + ly + '" width="18" height="14" ' +
                             'fill="url(#' + look.pattern + ')"/>');
            }
            var word = labels[state];
            out.push('<text x="' + (lx + 22) + '" y="' + (ly + 11) + '">' + escapeXml(word) +
                     '</text>');
            lx += 30 + textWidth(word);
        });
        out.push('</svg>');
        return out.join('\n') + '\n';
    }

    return {
        PREFIX: PREFIX,
        NOT_STEPS: NOT_STEPS,
        parseLine: parseLine,
        parse: parse,
        build: build,
        lanes: lanes,
        stuck: stuck,
        timelineSvg: timelineSvg,
        LABELS: LABELS,
        escapeXml: escapeXml,
    };
});
