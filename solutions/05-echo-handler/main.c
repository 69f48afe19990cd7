/*
 * Stage 5: the echo server, the original program in C.
 *
 *     if __name__ == '__main__':
 *         tasks.append(tcp_server(('', 25000), echo_handler))
 *         run()
 *
 * Try it: nc localhost 25000, type Hello, read GOT:Hello.  Stop it with
 * Ctrl-C.
 */
#include "address.h"
#include "course_text.h"
#include "echo_handler.h"
#include "fail.h"
#include "fd_flags.h"
#include "options.h"
#include "output.h"
#include "output_writer.h"
#include "scheduler.h"
#include "stop_signals.h"
#include "tcp_server.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct server_options options;
    open_standard_fds();
    program_name = "05-echo-handler";
    parse_server_options(argc, argv,
                         course_text("summary.stage5"),
                         &options);
    /* Scripts and tests read our output through pipes: flush every line. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct sockaddr_storage address;
    socklen_t length;
    resolve_listen_address(options.bind_host, options.port, &address, &length);
    spawn(stop_on_signals());
    /* From here on a log line never blocks: what stdout or stderr cannot
     * take now waits for these two tasks. */
    spawn(output_writer(STDOUT_FILENO));
    spawn(output_writer(STDERR_FILENO));
    spawn(tcp_server((struct sockaddr *)&address, length, echo_handler));
    run();

    if (stop_signal_received() == 0) {
        /* run() returned with no signal: every task has ended, which only
         * a task refused by the scheduler can cause (its message is above). */
        print_error("%s: no task is left to run after %lu connection(s); stopping",
                    program_name, tcp_server_connections());
        scheduler_drop_all();
        return 1;
    }
    print_line("Stopped by signal %d (%s) after %lu connection(s)", stop_signal_received(),
               strsignal(stop_signal_received()), tcp_server_connections());
    scheduler_drop_all();
    return 0;
}
