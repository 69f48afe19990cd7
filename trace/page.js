/*
 * page.js - the page of `make trace N`: draws model.js's state at one
 * step, and moves through the steps (buttons, slider, keys, #step=K).
 *
 * Everything shown has words and shapes besides its colour, and every
 * sentence exists in English and Korean (the language chosen when the
 * page was made, by the course's locale rule; a button switches).
 * The elements carry data- attributes with what they show, for the
 * headless check (trace/check_pages.js).
 */
(function () {
    'use strict';
    var M = window.TraceModel;
    var model = M.build(TRACE_LINES.map(M.parseLine));
    var steps = model.steps;
    var total = steps.length;
    var lang = document.body.getAttribute('data-lang') === 'ko' ? 'ko' : 'en';
    var current = 0, timer = null;

    var T = {
        en: {
            title: function (m) { return 'Stage ' + (m.stage || '?') + (m.title ? ' (' + m.title + ')' : '') + ': how the scheduler ran'; },
            subtitle: function (m) {
                return 'A real run of ' + (m.program || 'the program') + ' (' + (m.tree || '') +
                    '), drawn from its trace. Each step is one thing the scheduler did.';
            },
            first: '|\u25C0 First', back: '\u25C0 Back', play: '\u25B6 Play', pause: '|| Pause',
            forward: 'Step \u25B6', last: 'Last \u25B6|', language: '한국어',
            keys: 'Keys: \u2190 \u2192 step, Space play/pause, Home/End, PageUp/PageDown 10 steps',
            speed: function (n) { return n + ' steps/s'; },
            position: function (k, n) { return 'Step ' + k + ' of ' + n; },
            ready: 'Ready queue', readyNote: '(tasks that can run; run() takes the first)',
            next: 'next', none: 'empty',
            waits: 'Wait tables', waitsNote: '(fd \u2192 the task waiting on it, from the park and wake events)',
            recvWait: 'recv_wait: waits to receive (read)', sendWait: 'send_wait: waits to send (write)',
            fd: 'fd', task: 'task',
            select: 'Last select() call', selectNote: '(called only when the ready queue is empty)',
            calledAt: 'called at step',
            noSelect: 'select() has not been called yet.',
            asked: 'asked: readable?', askedSend: 'asked: writable?', answer: 'answered: readable',
            answerSend: 'answered: writable', waiting: 'answer pending (select() is blocking)',
            neverAnswered: 'no answer: select() was still waiting when the run ended',
            tasks: 'Tasks', tasksNote: '(one card per task, with where it resumes)',
            output: 'Program output', outputNote: '(as it appeared, newest marked \u25B6)',
            noOutput: 'nothing printed yet',
            clients: 'make trace\u2019s clients (what each did last)', noClients: 'none has connected yet',
            clientName: function (n) { return 'client ' + n; },
            states: {
                running: '\u25B6 running', ready: '\u25CF ready', recv: 'R waiting to receive',
                send: 'S waiting to send', sleep: 'z sleeping', done: '\u2713 done',
                ending: '\u25B6 finishing', stuck: '\u26A0 stuck',
            },
            onFd: function (fd) { return ' on fd ' + fd; },
            notParked: ' (no park event yet: in no wait table, as far as the trace says)',
            resumesAt: 'resumes at', runningFrom: 'running, resumed at', startsAt: 'starts at the top of its step function',
            finishedAt: 'finished at', resumes: function (n) { return 'resumed ' + n + ' time(s)'; },
            why: {
                recv: function (fd) {
                    return 'Why it waits: it stopped at the line shown (YIELD_RECV; the lines above it say when) to be ' +
                        'woken once fd ' + fd + ' has something to read. It sits in recv_wait[' + fd +
                        '] and does not run until select() says fd ' + fd + ' is readable.';
                },
                send: function (fd) {
                    return 'Why it waits: it stopped at the line shown (YIELD_SEND; the lines above it say when) to be ' +
                        'woken once fd ' + fd + ' has room to write. It sits in send_wait[' + fd +
                        '] and does not run until select() says fd ' + fd + ' is writable.';
                },
                unparked: function (reason, fd) {
                    return 'It stopped (' + (reason === 'recv' ? 'YIELD_RECV' : 'YIELD_SEND') + ') to wait until fd ' + fd +
                        (reason === 'recv' ? ' has something to read' : ' has room to write') + '. It is in no wait table yet: ' +
                        'run() hands it to park() next, which puts it in ' + reason + '_wait[' + fd + '] (if no park event follows, park() did not).';
                },
                recvShort: function (fd) { return 'In recv_wait[' + fd + ']: runs again once fd ' + fd + ' is readable.'; },
                sendShort: function (fd) { return 'In send_wait[' + fd + ']: runs again once fd ' + fd + ' is writable.'; },
                ready: 'In the ready queue: it runs when its turn comes.',
                neverRan: 'Never resumed: it is still in the ready queue.',
            },
            line: function (f, l) { return f + ', line ' + l; },
            ev: {
                spawn: function (e) { return 'spawn(): task ' + e.who + ' is created and joins the back of the ready queue.'; },
                resume: function (e) {
                    return 'run() takes ' + e.who + ' from the front of the ready queue and resumes it ' +
                        (e.line ? 'where it stopped, after line ' + e.line + ' of ' + e.file + '.' :
                         'from the top of its step function (' + e.file + ').');
                },
                yieldready: function (e) { return e.who + ' yields at line ' + e.line + ' (TASK_YIELD): it can go on later, so it goes to the back of the ready queue.'; },
                yieldrecv: function (e) { return e.who + ' stops at line ' + e.line + ' (YIELD_RECV): it wants to read fd ' + e.fd + ', and must wait until there is something to read.'; },
                yieldsend: function (e) { return e.who + ' stops at line ' + e.line + ' (YIELD_SEND): it wants to write to fd ' + e.fd + ', and must wait until there is room.'; },
                yielddone: function (e) { return e.who + ' reaches the end of its step function at line ' + e.line + ' (TASK_END): it is finished.'; },
                park: function (e) { return 'park(): ' + e.who + ' goes into ' + e.reason + '_wait[' + e.fd + ']. It will not run until select() says fd ' + e.fd + ' is ' + (e.reason === 'recv' ? 'readable.' : 'writable.'); },
                select: function (e) {
                    if (e.backend)
                        return 'The ready queue is empty, so run() asks its ' + e.backend + ' backend to wait ' +
                            '(Going further): the one thread sleeps until one of the fds waited on for reading (' +
                            list(e.recv) + ') can be read, or one of those waited on for writing (' + list(e.send) +
                            ') can be written' + (e.sleeping ? ', or a sleeper\u2019s time comes.' : '.');
                    return 'The ready queue is empty, so run() calls select(): the one thread sleeps until one of the fds waited on for reading (' +
                        list(e.recv) + ') can be read, or one of those waited on for writing (' + list(e.send) + ') can be written.';
                },
                wake: function (e) {
                    if (e.reason === 'timer')
                        return e.who + ' wakes from its sleep and goes back to the ready queue.';
                    return 'select() answered: fd ' + e.fd + ' is ' + (e.reason === 'recv' ? 'readable' : 'writable') +
                        ', so ' + e.who + ' leaves ' + e.reason + '_wait and goes back to the ready queue.';
                },
                sleep: function (e) { return e.who + ' sleeps: no fd, a timer will wake it.'; },
                done: function (e) { return 'task_done(): ' + e.who + ' is finished and freed.'; },
                out: function (e) { return 'The program prints: \u201C' + e.text + '\u201D'; },
                todo: function (e) { return 'Exercise ' + e.exercise + ' (' + e.what + ') is not written yet: its stub ran instead, so this part of the scheduler does nothing.'; },
                listen: function (e) { return 'The server listens on fd ' + e.fd + ' (the listening socket).'; },
                interrupted: function () { return 'select() was interrupted by a signal; run() checks its flags and waits again.'; },
                client: function (e) { return 'make trace\u2019s client ' + e.client + ' ' + clientAction(e) + '.'; },
                note: function (e) { return 'Trace: ' + e.detail; },
                end: function (e) { return ending(e); },
            },
            client: {
                connect: 'connects', send: 'sends', received: 'receives', close: 'closes its connection',
                closed: 'sees the server close the connection', failed: 'fails', nothing: 'receives nothing',
            },
            end: {
                exit: function (c) { return 'The run ended: the program exited with status ' + c + '.'; },
                signal: function (c, d) { return 'The run ended with a crash: killed by signal ' + c + ' (' + d + '). The last steps show where.'; },
                timeout: function (c) { return 'The run did not end by itself: make trace stopped it after ' + c + ' seconds. Something never woke (a hang?).'; },
                limit: function (c) { return 'The trace grew past ' + c + ' bytes, so make trace stopped the program: a task that never stops yielding?'; },
                stopped: function (c, d) { return 'make trace stopped the server with ' + d + ' once its clients were done (status ' + c + ').'; },
                none: 'The trace ends here without an end line: the program was cut short.',
            },
            stuckList: function (list) { return 'Not finished when the run ended: ' + list + '.'; },
            waitingList: function (list) { return 'Still there when the run was stopped (a server waits for clients until it is stopped): ' + list + '.'; },
            allDone: 'Every task finished.',
            footer: 'Made by make trace from the structured trace (COURSE_TRACE_EVENTS=1); the format is in TUTORIAL.md, "The trace format".',
            timeline: 'Timeline: one lane per task (click to jump to a step)',
        },
        ko: {
            title: function (m) { return (m.stage || '?') + '단계: 스케줄러가 실행된 모습'; },
            subtitle: function (m) {
                return (m.program || '프로그램') + ' (' + (m.tree || '') +
                    ')을 실제로 실행한 기록을 그린 것입니다. 한 단계는 스케줄러가 한 일 하나입니다.';
            },
            first: '|\u25C0 처음', back: '\u25C0 뒤로', play: '\u25B6 재생', pause: '|| 멈춤',
            forward: '앞으로 \u25B6', last: '끝 \u25B6|', language: 'English',
            keys: '키: \u2190 \u2192 한 단계, Space 재생/멈춤, Home/End, PageUp/PageDown 10단계',
            speed: function (n) { return '초당 ' + n + '단계'; },
            position: function (k, n) { return n + '단계 중 ' + k + '단계'; },
            ready: '준비 큐', readyNote: '(실행할 수 있는 작업. run()은 맨 앞의 것부터 꺼냅니다)',
            next: '다음', none: '비어 있음',
            waits: '대기 테이블', waitsNote: '(fd \u2192 그 fd를 기다리는 작업. park와 wake 이벤트로 채움)',
            recvWait: 'recv_wait: 받기(읽기)를 기다림', sendWait: 'send_wait: 보내기(쓰기)를 기다림',
            fd: 'fd', task: '작업',
            select: '마지막 select() 호출', selectNote: '(준비 큐가 비었을 때만 부릅니다)',
            calledAt: '호출한 단계',
            noSelect: '아직 select()를 부르지 않았습니다.',
            asked: '물은 것: 읽을 수 있나?', askedSend: '물은 것: 쓸 수 있나?',
            answer: '답: 읽을 수 있음', answerSend: '답: 쓸 수 있음',
            waiting: '답을 기다리는 중 (select()에서 멈춰 있음)',
            neverAnswered: '답 없음: 실행이 끝날 때 select()는 아직 기다리고 있었음',
            tasks: '작업', tasksNote: '(작업마다 카드 한 장, 재개 지점과 함께)',
            output: '프로그램 출력', outputNote: '(나온 순서대로, 가장 최근 줄은 \u25B6 표시)',
            noOutput: '아직 출력 없음',
            clients: 'make trace의 클라이언트 (각자 마지막으로 한 일)', noClients: '아직 접속한 클라이언트 없음',
            clientName: function (n) { return '클라이언트 ' + n; },
            states: {
                running: '\u25B6 실행 중', ready: '\u25CF 준비', recv: 'R 받기 대기',
                send: 'S 보내기 대기', sleep: 'z 잠듦', done: '\u2713 끝남',
                ending: '\u25B6 마치는 중', stuck: '\u26A0 멈춤',
            },
            onFd: function (fd) { return ' (fd ' + fd + ')'; },
            notParked: ' (아직 park 이벤트 없음: 트레이스로 보면 어느 대기 테이블에도 없음)',
            resumesAt: '재개 지점', runningFrom: '실행 중, 재개한 지점', startsAt: 'step 함수의 처음부터 시작',
            finishedAt: '끝난 자리', resumes: function (n) { return n + '번 재개됨'; },
            why: {
                recv: function (fd) {
                    return '기다리는 이유: fd ' + fd + '에 읽을 것이 생기면 깨워 달라며 보이는 줄에서 멈췄습니다(YIELD_RECV. 언제 그러는지는 그 위의 줄들에 있습니다). ' +
                        'recv_wait[' + fd + ']에 들어 있고, select()가 fd ' + fd + '에서 읽을 수 있다고 할 때까지 실행되지 않습니다.';
                },
                send: function (fd) {
                    return '기다리는 이유: fd ' + fd + '에 쓸 자리가 생기면 깨워 달라며 보이는 줄에서 멈췄습니다(YIELD_SEND. 언제 그러는지는 그 위의 줄들에 있습니다). ' +
                        'send_wait[' + fd + ']에 들어 있고, select()가 fd ' + fd + '에 쓸 수 있다고 할 때까지 실행되지 않습니다.';
                },
                unparked: function (reason, fd) {
                    return 'fd ' + fd + (reason === 'recv' ? '에 읽을 것이 생길' : '에 쓸 자리가 생길') + ' 때까지 기다리려고 멈췄습니다(' +
                        (reason === 'recv' ? 'YIELD_RECV' : 'YIELD_SEND') + '). 아직 어느 대기 테이블에도 없습니다. 다음에 run()이 park()에 넘기면 park()가 ' +
                        reason + '_wait[' + fd + ']에 넣습니다(park 이벤트가 뒤따르지 않으면 park()가 넣지 않은 것입니다).';
                },
                recvShort: function (fd) { return 'recv_wait[' + fd + ']에 있음: fd ' + fd + '에서 읽을 수 있게 되면 다시 실행됩니다.'; },
                sendShort: function (fd) { return 'send_wait[' + fd + ']에 있음: fd ' + fd + '에 쓸 수 있게 되면 다시 실행됩니다.'; },
                ready: '준비 큐에 있습니다. 차례가 오면 실행됩니다.',
                neverRan: '한 번도 실행되지 않았습니다. 아직 준비 큐에 있습니다.',
            },
            line: function (f, l) { return f + ', ' + l + '번째 줄'; },
            ev: {
                spawn: function (e) { return 'spawn(): 작업 ' + j(e.who, '이', '가') + ' 띄워져(만들어져) 준비 큐의 맨 뒤에 들어갑니다.'; },
                resume: function (e) {
                    return 'run()이 준비 큐 맨 앞에서 ' + j(e.who, '을', '를') + ' 꺼내 ' +
                        (e.line ? e.file + '의 ' + e.line + '번째 줄, 멈췄던 자리부터 이어서 실행합니다.' :
                         'step 함수의 처음부터 실행합니다(' + e.file + ').');
                },
                yieldready: function (e) { return j(e.who, '이', '가') + ' ' + e.line + '번째 줄에서 양보합니다(TASK_YIELD). 나중에 계속할 수 있으니 준비 큐의 맨 뒤로 갑니다.'; },
                yieldrecv: function (e) { return j(e.who, '이', '가') + ' ' + e.line + '번째 줄에서 멈춥니다(YIELD_RECV). ' + j('fd ' + e.fd, '을', '를') + ' 읽으려면 읽을 것이 올 때까지 기다려야 합니다.'; },
                yieldsend: function (e) { return j(e.who, '이', '가') + ' ' + e.line + '번째 줄에서 멈춥니다(YIELD_SEND). fd ' + e.fd + '에 쓰려면 자리가 날 때까지 기다려야 합니다.'; },
                yielddone: function (e) { return j(e.who, '이', '가') + ' ' + e.line + '번째 줄에서 step 함수의 끝에 닿았습니다(TASK_END). 할 일을 다 했습니다.'; },
                park: function (e) { return 'park(): ' + j(e.who, '이', '가') + ' ' + e.reason + '_wait[' + e.fd + ']에 들어갑니다. select()가 fd ' + e.fd + '에 ' + (e.reason === 'recv' ? '읽을' : '쓸') + ' 수 있다고 할 때까지 실행되지 않습니다.'; },
                select: function (e) {
                    if (e.backend)
                        return '준비 큐가 비어서 run()이 ' + e.backend + ' 백엔드에게 기다리기를 맡깁니다(더 나아가기). 읽기를 기다리는 fd(' +
                            list(e.recv) + ') 중 하나를 읽을 수 있거나 쓰기를 기다리는 fd(' + list(e.send) + ') 중 하나에 쓸 수 있' +
                            (e.sleeping ? '거나 잠든 작업의 시간이 될' : '을') + ' 때까지 하나뿐인 스레드가 잠듭니다.';
                    return '준비 큐가 비어서 run()이 select()를 부릅니다. 읽기를 기다리는 fd(' + list(e.recv) +
                        ') 중 하나를 읽을 수 있거나 쓰기를 기다리는 fd(' + list(e.send) + ') 중 하나에 쓸 수 있을 때까지 하나뿐인 스레드가 잠듭니다.';
                },
                wake: function (e) {
                    if (e.reason === 'timer')
                        return j(e.who, '이', '가') + ' 잠에서 깨어 준비 큐로 돌아갑니다.';
                    return 'select()의 답: fd ' + e.fd + '에 ' + (e.reason === 'recv' ? '읽을' : '쓸') +
                        ' 수 있습니다. 그래서 ' + j(e.who, '이', '가') + ' ' + e.reason + '_wait에서 나와 준비 큐로 돌아갑니다.';
                },
                sleep: function (e) { return j(e.who, '이', '가') + ' 잠듭니다. fd가 아니라 타이머가 깨웁니다.'; },
                done: function (e) { return 'task_done(): ' + j(e.who, '이', '가') + ' 끝나고 메모리를 돌려줍니다.'; },
                out: function (e) { return '프로그램이 출력합니다: \u201C' + e.text + '\u201D'; },
                todo: function (e) { return '연습 ' + e.exercise + '(' + e.what + ')를 아직 작성하지 않아서 스텁이 대신 실행되었습니다. 스케줄러의 이 부분은 아무 일도 하지 않습니다.'; },
                listen: function (e) { return '서버가 fd ' + e.fd + '(리슨 소켓)에서 접속을 기다립니다.'; },
                interrupted: function () { return '시그널 때문에 select()가 중단되었습니다. run()이 플래그를 확인하고 다시 기다립니다.'; },
                client: function (e) { return 'make trace의 ' + j('클라이언트 ' + e.client, '이', '가') + ' ' + clientAction(e) + '.'; },
                note: function (e) { return '트레이스: ' + e.detail; },
                end: function (e) { return ending(e); },
            },
            client: {
                connect: '접속합니다', send: '보냅니다', received: '받습니다', close: '연결을 닫습니다',
                closed: '서버가 연결을 닫은 것을 봅니다', failed: '실패합니다', nothing: '아무것도 받지 못합니다',
            },
            end: {
                exit: function (c) { return '실행이 끝났습니다. 프로그램이 상태 ' + c + '(으)로 종료했습니다.'; },
                signal: function (c, d) { return '프로그램이 죽었습니다: 시그널 ' + c + '(' + d + '). 마지막 단계들이 어디서인지 보여 줍니다.'; },
                timeout: function (c) { return '실행이 스스로 끝나지 않아 make trace가 ' + c + '초 뒤에 멈췄습니다. 무언가가 깨어나지 않았습니다(멈춤?).'; },
                limit: function (c) { return '트레이스가 ' + c + '바이트를 넘어서 make trace가 프로그램을 멈췄습니다. yield를 끝없이 되풀이하는 작업이 있지 않나요?'; },
                stopped: function (c, d) { return '클라이언트들이 끝난 뒤 make trace가 ' + d + '(으)로 서버를 멈췄습니다(상태 ' + c + ').'; },
                none: '끝을 알리는 줄 없이 트레이스가 여기서 끊깁니다. 프로그램이 중간에 끊겼습니다.',
            },
            stuckList: function (list) { return '실행이 끝날 때까지 끝나지 않은 작업: ' + list + '.'; },
            waitingList: function (list) { return '실행을 멈출 때 남아 있던 작업(서버는 멈출 때까지 클라이언트를 기다립니다): ' + list + '.'; },
            allDone: '모든 작업이 끝났습니다.',
            footer: 'make trace가 구조화된 트레이스(COURSE_TRACE_EVENTS=1)로 만든 페이지입니다. 형식은 TUTORIAL.ko.md의 \u201C트레이스 형식\u201D에 있습니다.',
            timeline: '시간표: 작업마다 한 줄 (누르면 그 단계로 갑니다)',
        },
    };

    function S() { return T[lang]; }
    /* A Korean particle after WORD: FIRST after a final consonant (digits
     * read in Korean: 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔 end in one), else SECOND. */
    function j(word, first, second) {
        var last = String(word).slice(-1), code = last.charCodeAt(0);
        var closed = code >= 0xAC00 && code <= 0xD7A3 ? (code - 0xAC00) % 28 !== 0 : '013678'.indexOf(last) >= 0;
        return word + (closed ? first : second);
    }
    function list(fds) { return fds.length ? fds.join(', ') : '-'; }
    function who(id) { return (model.names[id] || ('task ' + id)) + ' #' + id; }
    function base(file) { return file ? file.replace(/^.*\//, '') : '?'; }
    function sourceOf(file, line) { return model.sources[file + ':' + line]; }
    /* The line of code, after the few lines before it that page.sh kept
     * (the ones that say when the task gets there), numbered. */
    function context(file, line) {
        var numbers = [], texts = [], indent = Infinity;
        for (var l = line - 3; l <= line; l++) {
            var text = sourceOf(file, l);
            if (text === undefined)
                continue;
            text = text.replace(/\t/g, '    ');
            numbers.push(l);
            texts.push(text);
            if (text.trim())
                indent = Math.min(indent, text.length - text.replace(/^ +/, '').length);
        }
        if (texts.length === 0)
            return null;
        return texts.map(function (text, i) {
            return (numbers[i] === line ? '\u25B6 ' : '  ') + numbers[i] + '  ' +
                text.slice(indent === Infinity ? 0 : indent);
        }).join('\n');
    }
    function clientAction(e) {
        var words = S().client[e.action] || e.action;
        return e.detail ? words + ' ' + e.detail : words;
    }
    function ending(e) {
        var s = S().end;
        if (!e)
            return s.none;
        if (s[e.how])
            return s[e.how](e.code, e.detail);
        return e.text;
    }

    function el(tag, attrs, children) {
        var node = document.createElement(tag);
        for (var k in attrs || {}) {
            if (k === 'text')
                node.textContent = attrs[k];
            else if (k === 'class')
                node.className = attrs[k];
            else
                node.setAttribute(k, attrs[k]);
        }
        (children || []).forEach(function (c) {
            if (c)
                node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
        });
        return node;
    }
    function heading(title, note) {
        return el('h2', {}, [title, ' ', el('small', { text: note || '' })]);
    }
    function fill(id, children) {
        var node = document.getElementById(id);
        node.textContent = '';
        children.forEach(function (c) {
            if (c)
                node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
        });
        return node;
    }

    /* The step's event as a sentence, with its line of code if it has one. */
    function narrate(step) {
        var e = step.event, s = S();
        var data = {};
        for (var k in e)
            data[k] = e[k];
        if (e.id !== undefined)
            data.who = who(e.id);
        if (e.file)
            data.file = base(e.file);
        var key = e.kind === 'yield' ? 'yield' + e.reason : e.kind;
        var say = s.ev[key] || s.ev.note;
        var text = say(data);
        var code = null;
        if (e.kind === 'yield' || (e.kind === 'resume' && e.line > 0)) {
            var file = e.file || step.tasks[e.id].file;
            var src = context(file, e.line);
            if (src)
                code = el('span', { class: 'code', text: base(file) + '\n' + src });
        }
        var node = fill('narration', [el('strong', { text: s.position(current + 1, total) + ': ' }), text, code]);
        node.setAttribute('data-kind', e.kind);
        node.className = current === total - 1 ? 'end' : '';
        if (current === total - 1) {
            var left = M.stuck(model).map(function (t) {
                return who(t.id) + ' (' + stateWords(t) + ')';
            }).join(', ');
            node.appendChild(el('div', { text: !left ? s.allDone
                                         : stuckMatters() ? s.stuckList(left) : s.waitingList(left) }));
            if (e.kind !== 'end')
                node.appendChild(el('div', { text: ending(model.end) }));
        }
    }

    /* Tasks left at the end are stuck when the program ended (or was cut
     * short) by itself; a server stopped by make trace, or a crash, leaves
     * tasks that were only waiting. */
    function stuckMatters() {
        var how = model.end && model.end.how;
        return how !== 'stopped' && how !== 'signal';
    }

    /* T's state in words; SHORT leaves out that it is not parked (the
     * card says it on a line of its own). */
    function stateWords(t, short) {
        var s = S();
        var words = s.states[t.state] || t.state;
        if (t.state === 'recv' || t.state === 'send') {
            words += s.onFd(t.fd);
            if (!t.parked && !short)
                words += s.notParked;
        }
        return words;
    }

    function drawReady(step) {
        var s = S();
        var items = step.ready.map(function (id, i) {
            return el('li', { 'data-id': id, 'data-next': s.next, class: 's-ready', text: '\u25CF ' + who(id) });
        });
        var section = fill('ready', [heading(s.ready, s.readyNote),
            items.length ? el('ol', {}, items) : el('p', { class: 'empty', text: s.none })]);
        section.setAttribute('data-ids', step.ready.join(' '));
    }

    function waitTable(title, table, cls) {
        var s = S();
        var fds = Object.keys(table).map(Number).sort(function (a, b) { return a - b; });
        var rows = fds.map(function (fd) {
            return el('tr', { 'data-fd': fd, 'data-id': table[fd] }, [
                el('td', { class: 'fds', text: String(fd) }),
                el('td', { class: cls, text: (cls === 's-recv' ? 'R ' : 'S ') + who(table[fd]) })]);
        });
        return el('div', {}, [el('h3', { style: 'font-size:13px;margin:6px 0 2px', text: title }),
            rows.length ? el('table', { class: 'wait ' + cls }, [
                el('tr', {}, [el('th', { text: s.fd }), el('th', { text: s.task })])].concat(rows))
                : el('p', { class: 'empty', text: s.none })]);
    }

    function drawWaits(step) {
        var s = S();
        var section = fill('waits', [heading(s.waits, s.waitsNote),
            waitTable(s.recvWait, step.recvWait, 's-recv'), waitTable(s.sendWait, step.sendWait, 's-send')]);
        section.setAttribute('data-recv', Object.keys(step.recvWait).map(function (fd) {
            return fd + ':' + step.recvWait[fd]; }).join(' '));
        section.setAttribute('data-send', Object.keys(step.sendWait).map(function (fd) {
            return fd + ':' + step.sendWait[fd]; }).join(' '));
    }

    function drawSelect(step) {
        var s = S(), sel = step.select;
        if (!sel) {
            fill('select', [heading(s.select, s.selectNote), el('p', { class: 'empty', text: s.noSelect })]);
            return;
        }
        var fresh = sel.step === current;
        var answered = sel.answered || sel.readyRecv.length + sel.readySend.length > 0;
        var section = fill('select', [heading(s.select, s.selectNote), el('dl', {}, [
            el('dt', { text: s.calledAt }), el('dd', { text: String(sel.step + 1) }),
            el('dt', { text: s.asked }), el('dd', { class: 'fds', text: 'fd ' + list(sel.recv) }),
            el('dt', { text: s.askedSend }), el('dd', { class: 'fds', text: 'fd ' + list(sel.send) }),
            answered ? el('dt', { text: s.answer }) : null,
            answered ? el('dd', { class: 'fds', text: 'fd ' + list(sel.readyRecv) }) : null,
            answered ? el('dt', { text: s.answerSend }) : null,
            answered ? el('dd', { class: 'fds', text: 'fd ' + list(sel.readySend) }) : null,
        ]), !answered ? el('p', { class: 'empty', text: current === total - 1 ? s.neverAnswered : s.waiting }) : null]);
        section.setAttribute('data-recv', sel.recv.join(','));
        section.setAttribute('data-send', sel.send.join(','));
        section.setAttribute('data-ready-recv', sel.readyRecv.join(','));
        section.setAttribute('data-ready-send', sel.readySend.join(','));
        section.style.borderWidth = fresh ? '3px' : '';
    }

    function drawTasks(step) {
        var s = S(), last = current === total - 1;
        var cards = model.order.filter(function (id) { return step.tasks[id]; }).map(function (id) {
            var t = step.tasks[id];
            var stuck = last && t.state !== 'done' && stuckMatters();
            var where;
            if (t.state === 'done') {
                where = t.line ? [s.finishedAt + ' ' + s.line(base(t.file), t.line)] : [];
            } else if (t.state === 'running' || t.state === 'ending') {
                where = [s.runningFrom + ' ' + (t.from ? s.line(base(t.file), t.from) : s.startsAt)];
            } else if (t.resumes === 0) {
                where = [s.startsAt];
            } else {
                where = [s.resumesAt + ' ' + s.line(base(t.file), t.line)];
            }
            /* The task of this step in full: the lines before its resume
             * point, and why it waits; the others in one line each. */
            var focus = step.event.id === id || step.running === id;
            var codeLine = t.state === 'running' || t.state === 'ending' ? t.from : t.line;
            var src = t.file && codeLine ? (focus ? context(t.file, codeLine)
                                                  : context(t.file, codeLine).replace(/^[^]*\n/, '')) : null;
            if (src)
                where.push(el('span', { class: 'code', text: src }));
            var why = null;
            if (t.state === 'recv' || t.state === 'send')
                why = focus ? s.why[t.state](t.fd) : s.why[t.state + 'Short'](t.fd);
            else if (t.state === 'ready')
                why = t.resumes === 0 && last ? s.why.neverRan : s.why.ready;
            var badge = stuck ? s.states.stuck + ': ' + stateWords(t, true) : stateWords(t, true);
            if ((t.state === 'recv' || t.state === 'send') && !t.parked)
                why = s.why.unparked(t.state, t.fd);
            return el('div', { class: 'card s-' + t.state + (stuck ? ' stuck' : '') + (focus ? ' focus' : ''), 'data-id': id,
                               'data-state': t.state, 'data-fd': t.fd, 'data-name': t.name }, [
                el('div', { class: 'head' }, [el('span', { class: 'name', text: who(id) }),
                    el('span', { class: 'badge s-' + t.state, text: badge })]),
                el('div', { class: 'where' }, where),
                why ? el('div', { class: 'why', text: why }) : null,
                el('div', { class: 'where', text: s.resumes(t.resumes) }),
            ]);
        });
        fill('tasks', [heading(s.tasks, s.tasksNote)].concat(cards));
    }

    function drawOutput(step) {
        var s = S();
        var lines = model.output.slice(0, step.output);
        var fresh = step.event.kind === 'out';
        var pre = el('pre', {}, lines.map(function (line, i) {
            return el('span', { class: fresh && i === lines.length - 1 ? 'new' : '', text: line });
        }));
        /* What make trace's clients did last, when it drove some. */
        var clients = Object.keys(step.clients).map(function (n) {
            var words = step.clients[n].split(' ');
            return el('li', { 'data-client': n }, [s.clientName(n) + ': ' +
                clientAction({ action: words[0], detail: words.slice(1).join(' ') })]);
        });
        var section = fill('output', [heading(s.output, s.outputNote),
            lines.length ? pre : el('p', { class: 'empty', text: s.noOutput }),
            model.meta.scenario ? el('h2', { style: 'margin-top:10px', text: s.clients }) : null,
            model.meta.scenario ? (clients.length ? el('ul', {}, clients)
                                                  : el('p', { class: 'empty', text: s.noClients })) : null]);
        section.setAttribute('data-count', String(lines.length));
        pre.scrollTop = pre.scrollHeight;
    }

    var svgBox = null;
    function drawTimeline() {
        var s = S();
        var box = el('div', { class: 'svg' });
        /* As wide as the page, less its padding and the box's border. */
        var room = document.getElementById('timeline').clientWidth - 40;
        box.innerHTML = M.timelineSvg(model, { width: Math.max(600, room),
                                               labels: M.LABELS[lang], cursor: 0 });
        box.addEventListener('click', function (event) {
            var svg = box.querySelector('svg');
            var rect = svg.getBoundingClientRect();
            var width = Number(svg.getAttribute('width'));
            var x = (event.clientX - rect.left) * width / rect.width;
            var plot = width - 160;
            go(Math.floor((x - 150) / plot * total));
        });
        fill('timeline', [el('h2', { style: 'font-size:14px', text: s.timeline }), box]);
        svgBox = box;
    }
    function moveCursor() {
        var line = svgBox && svgBox.querySelector('#cursor');
        if (!line)
            return;
        var svg = svgBox.querySelector('svg');
        var width = Number(svg.getAttribute('width'));
        var x = 150 + (current + 0.5) * (width - 160) / total;
        line.setAttribute('x1', x.toFixed(1));
        line.setAttribute('x2', x.toFixed(1));
    }

    function drawStatic() {
        var s = S(), m = model.meta;
        document.documentElement.lang = lang;
        document.title = s.title(m);
        fill('title', [s.title(m)]);
        fill('subtitle', [s.subtitle(m), m.scenario ? el('div', { text: m.scenario }) : null]);
        fill('ending', [ending(model.end)]);
        ['first', 'back', 'forward', 'last', 'language', 'keys'].forEach(function (id) {
            document.getElementById(id).textContent = s[id];
        });
        var speed = document.getElementById('speed');
        var chosen = speed.value || '8';
        speed.textContent = '';
        [2, 8, 30, 120].forEach(function (n) {
            speed.appendChild(el('option', { value: String(n), text: s.speed(n) }));
        });
        speed.value = chosen;
        fill('footer', [s.footer]);
        drawTimeline();
    }

    function draw() {
        var step = steps[current];
        document.body.setAttribute('data-step', String(current + 1));
        document.body.setAttribute('data-steps', String(total));
        document.getElementById('slider').value = String(current + 1);
        document.getElementById('position').textContent = S().position(current + 1, total);
        document.getElementById('play').textContent = timer ? S().pause : S().play;
        if (!step)
            return;
        narrate(step);
        drawReady(step);
        drawWaits(step);
        drawSelect(step);
        drawTasks(step);
        drawOutput(step);
        moveCursor();
    }

    function go(k) {
        current = Math.max(0, Math.min(total - 1, k));
        if (current === total - 1)
            stop();
        var hash = '#step=' + (current + 1);
        if (location.hash !== hash && history.replaceState)
            history.replaceState(null, '', hash);
        draw();
    }
    function stop() {
        if (timer)
            clearInterval(timer);
        timer = null;
    }
    function play() {
        if (timer) {
            stop();
            draw();
            return;
        }
        if (current === total - 1)
            current = 0;
        var rate = Number(document.getElementById('speed').value) || 8;
        timer = setInterval(function () { go(current + 1); }, 1000 / rate);
        draw();
    }
    function fromHash() {
        var match = /step=(\d+)/.exec(location.hash);
        var lang_ = /lang=(en|ko)/.exec(location.hash);
        if (lang_ && lang_[1] !== lang) {
            lang = lang_[1];
            drawStatic();
        }
        return match ? Number(match[1]) - 1 : 0;
    }

    document.getElementById('first').onclick = function () { go(0); };
    document.getElementById('back').onclick = function () { stop(); go(current - 1); };
    document.getElementById('forward').onclick = function () { stop(); go(current + 1); };
    document.getElementById('last').onclick = function () { go(total - 1); };
    document.getElementById('play').onclick = play;
    document.getElementById('speed').onchange = function () { if (timer) { stop(); play(); } };
    document.getElementById('language').onclick = function () {
        lang = lang === 'ko' ? 'en' : 'ko';
        drawStatic();
        draw();
    };
    var slider = document.getElementById('slider');
    slider.max = String(Math.max(total, 1));
    slider.oninput = function () { stop(); go(Number(slider.value) - 1); };
    document.addEventListener('keydown', function (event) {
        if (event.target && event.target.tagName === 'SELECT')
            return;
        var keys = { ArrowRight: 1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
        if (event.key in keys) {
            if (event.target === slider)
                return;
            stop();
            go(current + keys[event.key]);
        } else if (event.key === ' ' || event.key === 'Spacebar') {
            play();
        } else if (event.key === 'Home') {
            go(0);
        } else if (event.key === 'End') {
            go(total - 1);
        } else {
            return;
        }
        event.preventDefault();
    });
    window.addEventListener('hashchange', function () {
        var k = fromHash();
        if (k !== current)
            go(k);
    });

    var start = fromHash();
    drawStatic();
    go(start);
})();
