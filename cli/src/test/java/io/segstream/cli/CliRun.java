package io.segstream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of the segstream command line: its exit status and what it printed. */
record CliRun(int exit, String out, String err) {

    /** Runs {@code segstream args...} as the launcher would, capturing stdout and stderr. */
    static CliRun of(String... args) {
        CommandLine cmd = Segstream.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
