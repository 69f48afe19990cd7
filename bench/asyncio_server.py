"""asyncio_server.py - the original's successor for `make bench`: an
asyncio echo server with the course's framing ("GOT:" + each chunk read,
up to 1000 bytes), in the streams style a Python user would write.

    python3 bench/asyncio_server.py PORT     (0: a free port; prints it)
"""
import asyncio
import sys


async def echo_handler(reader, writer):
    while True:
        data = await reader.read(1000)
        if not data:
            break
        writer.write(b"GOT:" + data)
        await writer.drain()
    writer.close()


async def main(port):
    server = await asyncio.start_server(echo_handler, "127.0.0.1", port, backlog=1024)
    print("Listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 25000))
    except KeyboardInterrupt:
        pass
