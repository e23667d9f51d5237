package io.segstream.cli;

import io.segstream.core.progress.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one plain sentence on stderr and exit code 1.
 *
 * <p>The stack trace goes to the debug log only; users see what went wrong and where, not Java internals.
 */
final class PlainErrorHandler implements CommandLine.IExecutionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PlainErrorHandler.class);

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        LOG.debug("command {} failed", cmd.getCommandName(), ex);
        // a subcommand's subcommand (edge bench) is named with its parent, so it is not taken for another command
        CommandLine parent = cmd.getParent();
        String name = parent != null && parent.getParent() != null
                ? parent.getCommandName() + " " + cmd.getCommandName() : cmd.getCommandName();
        cmd.getErr().println("segstream " + name + ": " + sentence(ex));
        return 1;
    }

    static String sentence(Throwable ex) {
        return Failures.sentence(ex);
    }
}
