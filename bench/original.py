#!/usr/bin/env python3
# original.py - the program the course rebuilds, as the course text gives
# it: a tasks deque, run() with select(), tcp_server and echo_handler as
# generators.  `make bench` runs it beside the C servers.
#
#   python3 bench/original.py [PORT]      (default 25000; 0: any free port)
#
# Changes for the benchmark, and only these: it listens on 127.0.0.1
# (not '' = every interface), takes the port as an argument, and prints
# "Listening on HOST:PORT" once bound, so the load generator can find it.
from socket import *
from select import select
from collections import deque
import sys

tasks = deque()
recv_wait = {}   # Mapping sockets -> tasks (generators)
send_wait = {}


def run():
    while any([tasks, recv_wait, send_wait]):
        while not tasks:
            # No active tasks to run; wait for I/O
            can_recv, can_send, _ = select(recv_wait, send_wait, [])
            for s in can_recv:
                tasks.append(recv_wait.pop(s))
            for s in can_send:
                tasks.append(send_wait.pop(s))
        task = tasks.popleft()
        try:
            why, what = next(task)   # Run to the yield
            if why == 'recv':
                # Must go wait somewhere
                recv_wait[what] = task
            elif why == 'send':
                send_wait[what] = task
            else:
                raise RuntimeError('Arg!')
        except StopIteration:
            print('Task done')


# TCP Server implementation
def tcp_server(address, handler):
    sock = socket(AF_INET, SOCK_STREAM)
    sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(5)
    print('Listening on %s:%d' % sock.getsockname(), flush=True)   # for the benchmark
    while True:
        yield 'recv', sock        # Wait for a client connection
        client, addr = sock.accept()
        tasks.append(handler(client, addr))  # Start a handler task for this client


# Echo handler - echoes back whatever the client sends
def echo_handler(client, address):
    print('Connection from', address)
    while True:
        yield 'recv', client      # Wait until client sends data
        data = client.recv(1000)
        if not data:              # Client closed connection
            break
        yield 'send', client      # Wait until client can receive data
        client.send(b'GOT:' + data)
    print('Connection closed')
    client.close()


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 25000
    tasks.append(tcp_server(('127.0.0.1', port), echo_handler))
    run()
