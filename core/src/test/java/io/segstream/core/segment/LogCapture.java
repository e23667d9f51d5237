package io.segstream.core.segment;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Collects the log lines of one logger while open, to assert what a component logs. */
final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();
    private final LoggerContext context;
    private final String loggerName;
    private final LoggerConfig added;

    private LogCapture(String loggerName) {
        super("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
        this.loggerName = loggerName;
        this.context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        start();
        config.addAppender(this);
        LoggerConfig own = new LoggerConfig(loggerName, Level.ALL, true);
        own.addAppender(this, Level.ALL, null);
        config.addLogger(loggerName, own);
        this.added = own;
        context.updateLoggers();
    }

    /** Starts capturing everything logged by {@code type}'s logger. */
    static LogCapture of(Class<?> type) {
        return new LogCapture(type.getName());
    }

    @Override
    public synchronized void append(LogEvent event) {
        lines.add(event.getMessage().getFormattedMessage());
        levels.add(event.getLevel());
    }

    /** The messages logged at {@code level}. */
    synchronized List<String> at(Level level) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (levels.get(i) == level) {
                out.add(lines.get(i));
            }
        }
        return out;
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        added.removeAppender(getName());
        config.removeLogger(loggerName);
        context.updateLoggers();
        stop();
    }
}
