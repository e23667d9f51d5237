package io.segstream.connectors.models;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which deployments a model release is for, and which releases a running job or agent takes.
 *
 * <p>A release names one target: {@code all}, {@code datacenter}, {@code edge}, or a camera group (for example
 * {@code line-4}). A deployment (an inference job, an edge agent) names the targets it answers to, e.g.
 * {@code datacenter} or {@code datacenter,line-4}. A release applies to a deployment when its target is
 * {@code all} or one of the deployment's targets. A deployment serves one model for all of its cameras, so a
 * camera group that needs its own model runs its own deployment for that group's cameras, started with the
 * group's name among its targets; a release for the group then reaches exactly those deployments.
 *
 * <pre>{@code
 * Set<String> job = ReleaseTarget.parseList("datacenter,line-4");
 * ReleaseTarget.applies("all", job);      // true
 * ReleaseTarget.applies("line-4", job);   // true
 * ReleaseTarget.applies("edge", job);     // false
 * }</pre>
 */
public final class ReleaseTarget {
    /** Every deployment. */
    public static final String ALL = "all";
    /** Flink jobs in the datacenter. */
    public static final String DATACENTER = "datacenter";
    /** Edge agents (Jetson). */
    public static final String EDGE = "edge";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private ReleaseTarget() {}

    /**
     * The target in canonical (lower-case) form.
     *
     * @throws IllegalArgumentException when it is not all, datacenter, edge or a camera group name
     */
    public static String validate(String target) {
        String t = target == null ? "" : target.strip().toLowerCase(Locale.ROOT);
        if (!NAME.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + target + "' is not a release target: use all, datacenter, edge"
                    + " or a camera group name (letters, digits, '.', '_', '-')");
        }
        return t;
    }

    /**
     * The targets of a deployment from a comma-separated list, e.g. {@code datacenter,line-4}.
     *
     * @throws IllegalArgumentException naming the first entry that is not a target
     */
    public static Set<String> parseList(String csv) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : (csv == null ? "" : csv).split(",")) {
            if (!part.isBlank()) {
                out.add(validate(part));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("a deployment needs at least one target, e.g. all or datacenter");
        }
        return Set.copyOf(out);
    }

    /** Whether a release for {@code releaseTarget} applies to a deployment answering to {@code deploymentTargets}. */
    public static boolean applies(String releaseTarget, Set<String> deploymentTargets) {
        String t = releaseTarget == null ? "" : releaseTarget.strip().toLowerCase(Locale.ROOT);
        return ALL.equals(t) || deploymentTargets.contains(t);
    }
}
