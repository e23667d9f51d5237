package io.segstream.dashboard;

/**
 * One update the page receives over Server-Sent Events.
 *
 * @param id   position in this server's event sequence (the SSE id is {@code epoch:id}, see {@link DashboardState})
 * @param type {@code camera}, {@code alert}, {@code alert-frame} (the raising frame of an active alert is kept now),
 *             {@code system} or {@code snapshot}
 * @param json the event's data, one line of JSON
 */
public record DashboardEvent(long id, String type, String json) {}
