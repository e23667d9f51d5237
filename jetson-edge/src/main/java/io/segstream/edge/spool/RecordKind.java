package io.segstream.edge.spool;

import java.util.Locale;

/**
 * What a spooled record is, which decides its topic, the order the sender drains the kinds in, and what goes first
 * when the spool is full: frames, then masks (oldest first); alerts are never dropped.
 */
public enum RecordKind {
    /** Alerts: small, rare, the reason the agent exists; sent first, never dropped. */
    ALERT,
    /** Segmentation masks: dropped oldest first when the spool is full, after every frame is gone. */
    MASK,
    /** Camera frames (optional, for review): the first to go when the spool is full. */
    FRAME;

    /** The folder of this kind's segments inside the spool folder. */
    public String folderName() {
        return name().toLowerCase(Locale.ROOT) + "s";
    }

    /** Whether records of this kind may be dropped to make room. */
    public boolean droppable() {
        return this != ALERT;
    }

    /** Lower-case name for logs and metric labels. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
