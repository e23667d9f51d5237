package io.segstream.core.alerts;

import io.segstream.core.metrics.Median;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How far predicted alerts agree with the alerts the same rules raise on ground truth: alert precision and recall,
 * the same for clears, and the alerts that stay raised after their cause left.
 *
 * <p>Matching, per camera and rule: a predicted alert matches a ground-truth alert whose raise lies within
 * {@code toleranceFrames} frames of its own, each alert at most once. Alerts of one camera and rule never overlap,
 * so pairing them in raise order, each ground-truth alert with the earliest unpaired prediction in its window, pairs
 * as many as any matching can. A matched pair's clears match when both lie within the tolerance of each other. A
 * matched prediction that clears more than the tolerance after its ground truth cleared, or never while the record
 * goes on that long, stayed raised after its cause left.
 *
 * <p>The end of the record: an unmatched raise, or a clear one side has and the other may still make, less than the
 * tolerance before the camera's last frame is left out of the counts, since its partner may lie beyond the record.
 * No predictions give precision 1, no ground-truth alerts give recall 1 (nothing wrong, nothing missed).
 *
 * <pre>{@code
 * AlertAgreement a = AlertAgreement.score(predicted.episodes(), truth.episodes(), 5, truth.lastSeqs());
 * a.summary().forEach(System.out::println);      // "alert precision: 0.750", "alert recall: 1.000", ...
 * }</pre>
 *
 * @param toleranceFrames how far apart in frames matching raises (and clears) may lie
 * @param matches         predicted alerts paired with ground-truth alerts
 * @param falseAlerts     predicted alerts without a ground-truth alert
 * @param missed          ground-truth alerts without a predicted alert
 * @param leftOpen        matched predictions that stayed raised after their ground truth cleared
 * @param predictedClears clears of predicted alerts that count
 * @param truthClears     clears of ground-truth alerts that count
 * @param matchedClears   clears of matched pairs within the tolerance of each other
 * @param undecided       alerts left out because the record ends within the tolerance of their raise
 */
public record AlertAgreement(
        int toleranceFrames,
        List<Match> matches,
        List<AlertEpisode> falseAlerts,
        List<AlertEpisode> missed,
        List<Match> leftOpen,
        int predictedClears,
        int truthClears,
        int matchedClears,
        int undecided) {

    /** Camera, then rule, then raise. */
    static final Comparator<AlertEpisode> ORDER = Comparator.comparing(AlertEpisode::cameraId)
            .thenComparing(AlertEpisode::ruleId).thenComparingLong(AlertEpisode::raisedSeq);

    /** A predicted alert and the ground-truth alert it matches. */
    public record Match(AlertEpisode predicted, AlertEpisode truth) {
        /** Frames the prediction raised after the ground truth (negative: before). */
        public long raiseOffset() {
            return predicted.raisedSeq() - truth.raisedSeq();
        }
    }

    public AlertAgreement {
        matches = List.copyOf(matches);
        falseAlerts = List.copyOf(falseAlerts);
        missed = List.copyOf(missed);
        leftOpen = List.copyOf(leftOpen);
    }

    /**
     * Matches {@code predicted} against {@code truth}.
     *
     * @param toleranceFrames how far apart matching raises and clears may lie, at least 0
     * @param lastSeqs        the last frame of the record per camera, the same for both sides (a camera without one
     *                        counts as recorded long enough after every alert)
     */
    public static AlertAgreement score(List<AlertEpisode> predicted, List<AlertEpisode> truth, int toleranceFrames,
            Map<String, Long> lastSeqs) {
        if (toleranceFrames < 0) {
            throw new IllegalArgumentException("the alert tolerance must be at least 0 frames, got " + toleranceFrames);
        }
        Map<String, List<AlertEpisode>> predictedByKey = byCameraAndRule(predicted);
        Map<String, List<AlertEpisode>> truthByKey = byCameraAndRule(truth);
        TreeMap<String, Boolean> keys = new TreeMap<>();
        predictedByKey.keySet().forEach(k -> keys.put(k, true));
        truthByKey.keySet().forEach(k -> keys.put(k, true));

        Tally t = new Tally(toleranceFrames, lastSeqs);
        for (String key : keys.keySet()) {
            List<AlertEpisode> p = predictedByKey.getOrDefault(key, List.of());
            List<AlertEpisode> g = truthByKey.getOrDefault(key, List.of());
            int i = 0;
            for (AlertEpisode truthAlert : g) {
                while (i < p.size() && p.get(i).raisedSeq() < truthAlert.raisedSeq() - toleranceFrames) {
                    t.unmatched(p.get(i++), true);
                }
                if (i < p.size() && p.get(i).raisedSeq() <= truthAlert.raisedSeq() + toleranceFrames) {
                    t.matched(p.get(i++), truthAlert);
                } else {
                    t.unmatched(truthAlert, false);
                }
            }
            while (i < p.size()) {
                t.unmatched(p.get(i++), true);
            }
        }
        return new AlertAgreement(toleranceFrames, t.matches, t.falseAlerts, t.missed, t.leftOpen, t.predictedClears,
                t.truthClears, t.matchedClears, t.undecided);
    }

    private static Map<String, List<AlertEpisode>> byCameraAndRule(List<AlertEpisode> episodes) {
        Map<String, List<AlertEpisode>> out = new TreeMap<>();
        episodes.stream().sorted(ORDER)
                .forEach(e -> out.computeIfAbsent(e.cameraId() + "\n" + e.ruleId(), k -> new ArrayList<>()).add(e));
        return out;
    }

    /** Matched predictions over all predictions that count; 1 when there are none. */
    public double precision() {
        return ratio(matches.size(), matches.size() + falseAlerts.size());
    }

    /** Matched ground-truth alerts over all that count; 1 when there are none. */
    public double recall() {
        return ratio(matches.size(), matches.size() + missed.size());
    }

    /** Matched clears over predicted clears; 1 when there are none. */
    public double clearPrecision() {
        return ratio(matchedClears, predictedClears);
    }

    /** Matched clears over ground-truth clears; 1 when there are none. */
    public double clearRecall() {
        return ratio(matchedClears, truthClears);
    }

    private static double ratio(int part, int whole) {
        return whole == 0 ? 1.0 : (double) part / whole;
    }

    /**
     * The figures, one a line ({@code alert precision: 0.750}, {@code alert recall: 1.000}, clears, alerts left
     * raised, counts), then one line per false, missed and left-open alert, at most {@code detailLines} of them.
     */
    public List<String> summary(int detailLines) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "alert precision: %.3f", precision()));
        lines.add(String.format(Locale.ROOT, "alert recall: %.3f", recall()));
        lines.add(String.format(Locale.ROOT, "alert clear precision: %.3f", clearPrecision()));
        lines.add(String.format(Locale.ROOT, "alert clear recall: %.3f", clearRecall()));
        lines.add("alerts left raised after their cause: " + leftOpen.size());
        lines.add(String.format(Locale.ROOT, "alert raises: %d predicted, %d in ground truth, %d matched within %d"
                        + " frames%s", matches.size() + falseAlerts.size(), matches.size() + missed.size(),
                matches.size(), toleranceFrames, undecided == 0 ? ""
                        : " (" + undecided + " left out: the record ends within the tolerance)"));
        lines.add(String.format(Locale.ROOT, "alert clears: %d predicted, %d in ground truth, %d matched",
                predictedClears, truthClears, matchedClears));
        List<String> details = new ArrayList<>();
        falseAlerts.forEach(e -> details.add("  false alert: " + e));
        missed.forEach(e -> details.add("  missed: " + e));
        leftOpen.forEach(m -> details.add("  left raised: " + m.predicted() + "; ground truth cleared at seq "
                + m.truth().clearedSeq()));
        lines.addAll(details.subList(0, Math.min(details.size(), Math.max(0, detailLines))));
        if (details.size() > detailLines) {
            lines.add("  ... and " + (details.size() - detailLines) + " more");
        }
        return lines;
    }

    /**
     * The figures of one rule over every camera.
     *
     * @param ruleId            rule id
     * @param truth             ground-truth alerts that count
     * @param predicted         predicted alerts that count
     * @param matched           predicted alerts matched within the tolerance
     * @param raisedLate        false alerts raised while a missed ground-truth alert of the same camera and rule was
     *                          up: the cause was seen, more than the tolerance late
     * @param medianRaiseOffset median of the matched raises' offsets in frames (prediction minus ground truth), NaN
     *                          without a match
     */
    public record RuleFigures(String ruleId, int truth, int predicted, int matched, int raisedLate,
            double medianRaiseOffset) {
        /** Matched over predicted; 1 without predictions. */
        public double precision() {
            return ratio(matched, predicted);
        }

        /** Matched over ground truth; 1 without ground-truth alerts. */
        public double recall() {
            return ratio(matched, truth);
        }
    }

    /** The figures per rule, in rule id order. */
    public List<RuleFigures> byRule() {
        TreeSet<String> rules = new TreeSet<>();
        matches.forEach(m -> rules.add(m.truth().ruleId()));
        falseAlerts.forEach(e -> rules.add(e.ruleId()));
        missed.forEach(e -> rules.add(e.ruleId()));
        List<RuleFigures> out = new ArrayList<>();
        for (String rule : rules) {
            double[] offsets = matches.stream().filter(m -> m.truth().ruleId().equals(rule))
                    .mapToDouble(Match::raiseOffset).toArray();
            List<AlertEpisode> f = falseAlerts.stream().filter(e -> e.ruleId().equals(rule)).toList();
            List<AlertEpisode> g = missed.stream().filter(e -> e.ruleId().equals(rule)).toList();
            int late = (int) f.stream().filter(p -> g.stream().anyMatch(t -> during(p, t))).count();
            int n = offsets.length;
            out.add(new RuleFigures(rule, n + g.size(), n + f.size(), n, late, Median.of(offsets)));
        }
        return out;
    }

    /** Whether {@code predicted} was raised on the same camera while {@code truth} was up. */
    private static boolean during(AlertEpisode predicted, AlertEpisode truth) {
        long seq = predicted.raisedSeq();
        return predicted.cameraId().equals(truth.cameraId()) && seq > truth.raisedSeq()
                && (!truth.cleared() || seq < truth.clearedSeq());
    }

    /**
     * The figures as plain values for a JSON report: tolerance, precision and recall of raises and clears, counts,
     * and one entry per rule ({@code medianRaiseOffset} null without a match).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("toleranceFrames", toleranceFrames);
        m.put("precision", precision());
        m.put("recall", recall());
        m.put("clearPrecision", clearPrecision());
        m.put("clearRecall", clearRecall());
        m.put("leftRaised", leftOpen.size());
        m.put("predicted", matches.size() + falseAlerts.size());
        m.put("truth", matches.size() + missed.size());
        m.put("matched", matches.size());
        m.put("undecided", undecided);
        List<Map<String, Object>> rules = new ArrayList<>();
        for (RuleFigures r : byRule()) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("rule", r.ruleId());
            rule.put("truth", r.truth());
            rule.put("predicted", r.predicted());
            rule.put("matched", r.matched());
            rule.put("raisedLate", r.raisedLate());
            rule.put("precision", r.precision());
            rule.put("recall", r.recall());
            rule.put("medianRaiseOffset", Double.isNaN(r.medianRaiseOffset()) ? null : r.medianRaiseOffset());
            rules.add(rule);
        }
        m.put("rules", rules);
        return m;
    }

    /** {@link #byRule()} as a table, a header line and one line per rule. */
    public List<String> ruleTable() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-26s %6s %10s %8s %12s %10s %7s %14s", "rule", "truth", "predicted",
                "matched", "raised late", "precision", "recall", "raise offset"));
        for (RuleFigures r : byRule()) {
            lines.add(String.format(Locale.ROOT, "%-26s %6d %10d %8d %12d %10.3f %7.3f %14s", r.ruleId(), r.truth(),
                    r.predicted(), r.matched(), r.raisedLate(), r.precision(), r.recall(),
                    Double.isNaN(r.medianRaiseOffset()) ? "-"
                            : String.format(Locale.ROOT, "%+.1f frames", r.medianRaiseOffset())));
        }
        return lines;
    }

    /** The counts as the matching goes. */
    private static final class Tally {
        final int tolerance;
        final Map<String, Long> lastSeqs;
        final List<Match> matches = new ArrayList<>();
        final List<AlertEpisode> falseAlerts = new ArrayList<>();
        final List<AlertEpisode> missed = new ArrayList<>();
        final List<Match> leftOpen = new ArrayList<>();
        int predictedClears;
        int truthClears;
        int matchedClears;
        int undecided;

        Tally(int tolerance, Map<String, Long> lastSeqs) {
            this.tolerance = tolerance;
            this.lastSeqs = lastSeqs;
        }

        /** Whether the record goes on for the whole tolerance after {@code seq}. */
        private boolean decided(AlertEpisode e, long seq) {
            Long last = lastSeqs.get(e.cameraId());
            return last == null || last - seq >= tolerance;
        }

        void unmatched(AlertEpisode e, boolean isPredicted) {
            if (!decided(e, e.raisedSeq())) {
                undecided++;
                return;
            }
            (isPredicted ? falseAlerts : missed).add(e);
            if (e.cleared()) {
                if (isPredicted) {
                    predictedClears++;
                } else {
                    truthClears++;
                }
            }
        }

        void matched(AlertEpisode p, AlertEpisode g) {
            Match m = new Match(p, g);
            matches.add(m);
            if (p.cleared() && g.cleared()) {
                predictedClears++;
                truthClears++;
                if (Math.abs(p.clearedSeq() - g.clearedSeq()) <= tolerance) {
                    matchedClears++;
                } else if (p.clearedSeq() > g.clearedSeq()) {
                    leftOpen.add(m);
                }
            } else if (g.cleared() && decided(g, g.clearedSeq())) {
                truthClears++;
                leftOpen.add(m);
            } else if (p.cleared() && decided(p, p.clearedSeq())) {
                predictedClears++;
            }
        }
    }
}
