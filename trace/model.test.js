/*
 * model.test.js - the trace-to-state logic of model.js, case by case.
 *
 *     node --test trace/model.test.js
 *
 * Each test feeds a small trace, as a stage would print it, and checks
 * the state after chosen steps.
 */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const M = require('./model.js');

function model(text) {
    return M.build(M.parse(text.trim().split('\n').map(l => l.trim()).join('\n') + '\n'));
}

/* Stage 3's beginning: two tasks, a pipe, one select(). */
const PIPE = `
    @ev meta stage 3
    @ev spawn 1 writer
    @ev spawn 2 reader
    @ev resume 1 solutions/03-select-loop/pipe_demo.c 0
    @ev yield 1 send 4 27
    @ev park 1 send 4
    @ev resume 2 solutions/03-select-loop/pipe_demo.c 0
    @ev yield 2 recv 3 58
    @ev park 2 recv 3
    @ev select 3 4 2 0
    @ev wake 1 send 4
    @ev resume 1 solutions/03-select-loop/pipe_demo.c 27
    writer: wrote line 1
    @ev yield 1 ready -1 30
    @ev resume 1 solutions/03-select-loop/pipe_demo.c 30
    @ev yield 1 done -1 35
    @ev done 1
    Task done
    @ev end exit 0
`;

test('output lines and events are told apart; meta and source are not steps', () => {
    const m = model(PIPE);
    assert.equal(m.meta.stage, '3');
    assert.equal(m.steps.length, 18);
    assert.deepEqual(m.output, ['writer: wrote line 1', 'Task done']);
    assert.equal(m.steps[11].event.kind, 'out');
    assert.equal(m.steps[11].output, 1);
});

test('parseLine reads each kind of event', () => {
    assert.deepEqual(M.parseLine('@ev park 3 recv 5'),
                     { kind: 'park', text: 'park 3 recv 5', id: 3, reason: 'recv', fd: 5 });
    const s = M.parseLine('@ev select 3,5 - 2 0');
    assert.deepEqual([s.recv, s.send, s.waiting, s.backend], [[3, 5], [], 2, null]);
    assert.equal(M.parseLine('@ev select 3 - 1 2 epoll').backend, 'epoll');
    const y = M.parseLine('@ev yield 4 send 6 97');
    assert.deepEqual([y.id, y.reason, y.fd, y.line], [4, 'send', 6, 97]);
    const src = M.parseLine('@ev source a.c 12     YIELD_RECV(self, fd);');
    assert.equal(src.source, '    YIELD_RECV(self, fd);');
    assert.equal(M.parseLine('@ev end signal 11 SIGSEGV').detail, 'SIGSEGV');
    assert.equal(M.parseLine('@ev todo 3.3 run in scheduler.c').what, 'run in scheduler.c');
    assert.equal(M.parseLine('@ev something new').kind, 'note');
    assert.equal(M.parseLine('@evil twin').kind, 'out');
});

test('spawn queues, resume runs, park fills the wait tables', () => {
    const m = model(PIPE);
    assert.deepEqual(m.steps[1].ready, [1, 2]);
    assert.equal(m.steps[2].running, 1);
    assert.deepEqual(m.steps[2].ready, [2]);
    assert.equal(m.steps[2].tasks[1].state, 'running');
    assert.equal(m.steps[2].tasks[1].from, 0);
    const parked = m.steps[7];
    assert.deepEqual(parked.sendWait, { 4: 1 });
    assert.deepEqual(parked.recvWait, { 3: 2 });
    assert.equal(parked.tasks[1].state, 'send');
    assert.equal(parked.tasks[1].line, 27, 'resumes where it yielded');
    assert.equal(parked.tasks[2].state, 'recv');
    assert.equal(parked.running, null);
});

test('a task between its yield and its park is waiting, not yet parked', () => {
    const step = model(PIPE).steps[3];
    assert.equal(step.tasks[1].state, 'send');
    assert.equal(step.tasks[1].parked, false);
    assert.deepEqual(step.sendWait, {});
});

test('select() keeps the sets it was given and collects its answer from the wakes', () => {
    const m = model(PIPE);
    const asked = m.steps[8].select;
    assert.deepEqual([asked.recv, asked.send, asked.answered], [[3], [4], false]);
    const woke = m.steps[9];
    assert.deepEqual(woke.select.readySend, [4]);
    assert.deepEqual(woke.select.readyRecv, []);
    assert.deepEqual(woke.ready, [1]);
    assert.deepEqual(woke.sendWait, {});
    assert.deepEqual(woke.recvWait, { 3: 2 }, 'the reader still waits');
    const later = m.steps[10].select;
    assert.equal(later.answered, true);
    assert.deepEqual(later.readySend, [4], 'the answer stays after select()');
});

test('a wake after the answer was closed is not part of that answer', () => {
    const m = model(`
        @ev spawn 1 a
        @ev select 3 - 1 0
        @ev wake 1 recv 3
        @ev resume 1 f.c 10
        @ev wake 1 recv 3
    `);
    assert.deepEqual(m.steps[4].select.readyRecv, [3]);
});

test("a client's action while select() waits does not end select()'s answer", () => {
    const m = model(`
        @ev spawn 1 echo_handler
        @ev select 12 - 1 0
        @ev client 1 send "hello\\n"
        @ev wake 1 recv 12
        @ev resume 1 e.c 50
    `);
    assert.deepEqual(m.steps[4].select.readyRecv, [12]);
    assert.deepEqual(m.steps[4].clients, { 1: 'send "hello\\n"' });
});

test('yield ready goes to the back of the queue; done ends the task', () => {
    const m = model(PIPE);
    assert.deepEqual(m.steps[12].ready, [1]);
    assert.equal(m.steps[12].tasks[1].state, 'ready');
    assert.equal(m.steps[14].tasks[1].state, 'ending');
    assert.equal(m.steps[15].tasks[1].state, 'done');
    assert.deepEqual(m.steps[15].ready, []);
    assert.equal(m.end.how, 'exit');
});

test('stuck lists the tasks not done at the end, in the order they came', () => {
    const m = model(PIPE);
    assert.deepEqual(M.stuck(m).map(t => [t.name, t.state]), [['reader', 'recv']]);
});

test('an untouched stage: spawned tasks never run, the stub is named', () => {
    const m = model(`
        @ev spawn 1 countdown
        @ev spawn 2 countup
        @ev todo 2.2 run in scheduler.c
        TODO: exercise 2.2 (run in scheduler.c) is not done yet: see TUTORIAL.md, exercise 2.2.
        @ev end exit 0
    `);
    const last = m.steps[m.steps.length - 1];
    assert.deepEqual(last.todos, ['2.2']);
    assert.deepEqual(last.ready, [1, 2]);
    assert.deepEqual(M.stuck(m).map(t => t.resumes), [0, 0]);
});

test('a run that ends while select() waits leaves select() unanswered', () => {
    const m = model('@ev spawn 1 r\n@ev select 3 - 1 0\n@ev end timeout 5');
    assert.equal(m.steps[2].select.answered, false);
    assert.deepEqual(m.steps[2].select.readyRecv, []);
});

test('a crash leaves the running task running, and the end says how', () => {
    const m = model(`
        @ev spawn 1 echo_handler
        @ev resume 1 e.c 50
        @ev end signal 11 SIGSEGV
    `);
    assert.equal(m.steps[2].tasks[1].state, 'running');
    assert.equal(m.end.code, '11');
    assert.equal(m.end.detail, 'SIGSEGV');
});

test('events about a task never spawned still draw it', () => {
    const m = model('@ev resume 7 x.c 0\n@ev yield 7 recv 3 12');
    assert.deepEqual(m.order, [7]);
    assert.equal(m.steps[1].tasks[7].state, 'recv');
});

test('sleep and the timer wake (Going further traces)', () => {
    const m = model('@ev spawn 1 t\n@ev resume 1 t.c 0\n@ev sleep 1\n@ev wake 1 timer -1');
    assert.equal(m.steps[2].tasks[1].state, 'sleep');
    assert.deepEqual(m.steps[3].ready, [1]);
});

test('lanes: one per task, a segment per run of one state', () => {
    const lanes = M.lanes(model(PIPE));
    assert.deepEqual(lanes.map(l => l.name), ['writer', 'reader']);
    const writer = lanes[0].segments.map(g => g.state + (g.fd >= 0 ? ' ' + g.fd : ''));
    assert.deepEqual(writer.slice(0, 4), ['ready', 'running', 'send 4', 'ready']);
    assert.equal(writer[writer.length - 1], 'done');
    assert.equal(lanes[1].segments[0].from, 1, 'the reader starts at its spawn');
});

test('timelineSvg is the same for the same trace, names every task, escapes text', () => {
    const m = model(PIPE.replace('spawn 2 reader', 'spawn 2 r<&>'));
    const one = M.timelineSvg(m, { title: 'Stage 3' }), two = M.timelineSvg(m, { title: 'Stage 3' });
    assert.equal(one, two);
    assert.match(one, /^<svg /);
    assert.match(one, /writer #1/);
    assert.match(one, /r&lt;&amp;&gt; #2/);
    assert.match(one, /S fd 4|waiting to send/);
    assert.doesNotMatch(one, /<&>/);
});
