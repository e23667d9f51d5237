package io.segstream.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.AlertState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertAgreementTest {
    private static final String CAM = "cam-1";
    private static final long OPEN = AlertEpisode.STILL_RAISED;

    private static AlertEpisode a(String rule, long raised, long cleared) {
        return new AlertEpisode(CAM, rule, raised, cleared);
    }

    private static AlertAgreement score(List<AlertEpisode> predicted, List<AlertEpisode> truth, int tolerance,
            long lastSeq) {
        return AlertAgreement.score(predicted, truth, tolerance, Map.of(CAM, lastSeq));
    }

    @Test
    void raisesMatchWithinTheToleranceAndClearsLikewise() {
        // truth: person 10-20, vehicle 40-50; predicted: person 12-21 (raise +2, clear +1), vehicle 44-60 (+4, +10)
        AlertAgreement r = score(List.of(a("person", 12, 21), a("vehicle", 44, 60)),
                List.of(a("person", 10, 20), a("vehicle", 40, 50)), 5, 100);
        assertEquals(2, r.matches().size());
        assertEquals(1.0, r.precision());
        assertEquals(1.0, r.recall());
        assertEquals(2, r.predictedClears());
        assertEquals(2, r.truthClears());
        assertEquals(1, r.matchedClears(), "only the person's clear lies within 5 frames");
        assertEquals(0.5, r.clearPrecision());
        assertEquals(0.5, r.clearRecall());
        assertEquals(List.of(new AlertAgreement.Match(a("vehicle", 44, 60), a("vehicle", 40, 50))), r.leftOpen(),
                "the vehicle alert stays raised 10 frames after its cause left");
        assertEquals(4, r.matches().get(1).raiseOffset());
    }

    @Test
    void aRaiseOutsideTheToleranceIsAFalseAlertAndAMiss() {
        AlertAgreement r = score(List.of(a("person", 16, 30)), List.of(a("person", 10, 20)), 5, 100);
        assertEquals(List.of(a("person", 16, 30)), r.falseAlerts());
        assertEquals(List.of(a("person", 10, 20)), r.missed());
        assertEquals(0.0, r.precision());
        assertEquals(0.0, r.recall());
        // the same at tolerance 6: matched, and the clear at +10 leaves it raised
        AlertAgreement wider = score(List.of(a("person", 16, 30)), List.of(a("person", 10, 20)), 6, 100);
        assertEquals(1.0, wider.precision());
        assertEquals(1, wider.leftOpen().size());
    }

    @Test
    void rulesAndCamerasNeverMatchEachOther() {
        AlertEpisode otherCamera = new AlertEpisode("cam-2", "person", 10, 20);
        AlertAgreement r = AlertAgreement.score(List.of(a("vehicle", 10, 20), otherCamera),
                List.of(a("person", 10, 20)), 5, Map.of(CAM, 100L, "cam-2", 100L));
        assertEquals(0, r.matches().size());
        assertEquals(2, r.falseAlerts().size());
        assertEquals(1, r.missed().size());
    }

    @Test
    void eachAlertMatchesOnceAndAsManyAsPossiblePair() {
        // truth raises at 10 and 30, predictions at 8, 12 and 29: 8-10 and 29-30 pair, 12 is a false alert
        AlertAgreement r = score(List.of(a("p", 8, 9), a("p", 12, 13), a("p", 29, 31)),
                List.of(a("p", 10, 20), a("p", 30, 40)), 3, 100);
        assertEquals(2, r.matches().size());
        assertEquals(8, r.matches().get(0).predicted().raisedSeq());
        assertEquals(29, r.matches().get(1).predicted().raisedSeq());
        assertEquals(List.of(a("p", 12, 13)), r.falseAlerts());
        assertEquals(2.0 / 3, r.precision(), 1e-12);
        assertEquals(1.0, r.recall());
        // pairing each truth with its nearest prediction would give 10 the one at 11 and leave 13 without
        AlertAgreement tight = score(List.of(a("p", 8, 9), a("p", 11, 12)), List.of(a("p", 10, 11), a("p", 13, 14)),
                2, 100);
        assertEquals(2, tight.matches().size());
    }

    @Test
    void aPredictionThatNeverClearsIsLeftRaisedOnceTheRecordGoesOnLongEnough() {
        List<AlertEpisode> predicted = List.of(a("p", 10, OPEN));
        List<AlertEpisode> truth = List.of(a("p", 10, 20));
        AlertAgreement longRecord = score(predicted, truth, 5, 25);
        assertEquals(1, longRecord.leftOpen().size());
        assertEquals(1, longRecord.truthClears());
        assertEquals(0.0, longRecord.clearRecall());
        // the record ends 4 frames after the truth cleared: the prediction may still clear in time, so no verdict
        AlertAgreement shortRecord = score(predicted, truth, 5, 24);
        assertEquals(0, shortRecord.leftOpen().size());
        assertEquals(0, shortRecord.truthClears());
        assertEquals(1.0, shortRecord.clearRecall());
    }

    @Test
    void unmatchedRaisesNearTheEndOfTheRecordAreLeftOut() {
        // truth raised at 97 of a record ending at 100: a prediction at up to 102 would have matched
        AlertAgreement r = score(List.of(), List.of(a("p", 97, OPEN)), 5, 100);
        assertEquals(0, r.missed().size());
        assertEquals(1, r.undecided());
        assertEquals(1.0, r.recall());
        AlertAgreement decided = score(List.of(), List.of(a("p", 95, OPEN)), 5, 100);
        assertEquals(1, decided.missed().size());
        assertEquals(0.0, decided.recall());
    }

    @Test
    void noAlertsOnEitherSideScoreOne() {
        AlertAgreement r = score(List.of(), List.of(), 5, 100);
        assertEquals(1.0, r.precision());
        assertEquals(1.0, r.recall());
        assertEquals(1.0, r.clearPrecision());
        assertEquals(1.0, r.clearRecall());
    }

    @Test
    void theSummaryStartsWithPrecisionAndRecallLines() {
        AlertAgreement r = score(List.of(a("p", 10, 20), a("p", 50, 60)), List.of(a("p", 11, 20)), 5, 100);
        List<String> lines = r.summary(10);
        assertEquals("alert precision: 0.500", lines.get(0));
        assertEquals("alert recall: 1.000", lines.get(1));
        assertEquals("alert clear precision: 0.500", lines.get(2));
        assertEquals("alert clear recall: 1.000", lines.get(3));
        assertEquals("alerts left raised after their cause: 0", lines.get(4));
        assertEquals("alert raises: 2 predicted, 1 in ground truth, 1 matched within 5 frames", lines.get(5));
        assertEquals("alert clears: 2 predicted, 1 in ground truth, 1 matched", lines.get(6));
        assertEquals("  false alert: p on cam-1 raised at seq 50, cleared at seq 60", lines.get(7));
        assertEquals(8, lines.size());
        assertEquals("  ... and 1 more", r.summary(0).get(7));
    }

    @Test
    void figuresPerRuleCountLateRaisesAndTheMedianOffset() {
        List<AlertEpisode> truth = List.of(a("p", 10, 30), a("p", 50, 70), a("p", 90, OPEN), a("v", 20, 40));
        // p: one match 2 late, one 3 early, one 12 frames late (false + missed, raised late); v: one false alarm
        List<AlertEpisode> predicted = List.of(a("p", 12, 31), a("p", 47, 70), a("p", 102, OPEN), a("v", 60, 65));
        AlertAgreement r = score(predicted, truth, 5, 200);
        List<AlertAgreement.RuleFigures> rules = r.byRule();
        assertEquals(2, rules.size());
        AlertAgreement.RuleFigures p = rules.get(0);
        assertEquals("p", p.ruleId());
        assertEquals(3, p.truth());
        assertEquals(3, p.predicted());
        assertEquals(2, p.matched());
        assertEquals(1, p.raisedLate());
        assertEquals(-0.5, p.medianRaiseOffset());
        assertEquals(2 / 3.0, p.recall(), 1e-12);
        AlertAgreement.RuleFigures v = rules.get(1);
        assertEquals(List.of(1, 1, 0, 0), List.of(v.truth(), v.predicted(), v.matched(), v.raisedLate()));
        assertTrue(Double.isNaN(v.medianRaiseOffset()));
        assertEquals(0.0, v.precision());
        List<String> table = r.ruleTable();
        assertEquals(3, table.size());
        assertTrue(table.get(1).startsWith("p "), table.get(1));
        assertTrue(table.get(1).endsWith("-0.5 frames"), table.get(1));
        assertTrue(table.get(2).endsWith(" -"), table.get(2));
        Map<String, Object> map = r.toMap();
        assertEquals(4, map.get("truth"));
        assertEquals(2, map.get("matched"));
        List<?> ruleMaps = (List<?>) map.get("rules");
        assertEquals(-0.5, ((Map<?, ?>) ruleMaps.get(0)).get("medianRaiseOffset"));
        assertEquals(null, ((Map<?, ?>) ruleMaps.get(1)).get("medianRaiseOffset"), "no match, no offset");
    }

    @Test
    void aLateRaiseCountsOnlyAgainstTheSameCamera() {
        // cam-2 misses its alert at 10-40; cam-1's false alert at 25 is not cam-2's cause seen late
        List<AlertEpisode> truth = List.of(new AlertEpisode("cam-2", "p", 10, 40));
        List<AlertEpisode> predicted = List.of(new AlertEpisode(CAM, "p", 25, 35),
                new AlertEpisode("cam-2", "p", 30, 45));
        AlertAgreement r = AlertAgreement.score(predicted, truth, 5, Map.of(CAM, 200L, "cam-2", 200L));
        AlertAgreement.RuleFigures p = r.byRule().get(0);
        assertEquals(List.of(1, 2, 0, 1), List.of(p.truth(), p.predicted(), p.matched(), p.raisedLate()),
                "only cam-2's raise at 30 was late");
    }

    @Test
    void aNegativeToleranceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> score(List.of(), List.of(), -1, 0));
        assertTrue(e.getMessage().contains("at least 0 frames"), e.getMessage());
    }

    @Test
    void theTimelinePairsClearsWithTheirRaisesById() {
        AlertTimeline t = new AlertTimeline();
        t.add(CAM, "p", "id-1", 10, AlertState.RAISED);
        t.add(CAM, "q", "id-2", 12, AlertState.RAISED);
        t.add(CAM, "p", "id-1", 20, AlertState.CLEARED);
        t.add(CAM, "p", "id-0", 22, AlertState.CLEARED);   // its raise came before the record: left out
        t.observed(CAM, 30);
        assertEquals(List.of(a("p", 10, 20), a("q", 12, OPEN)), t.episodes());
        assertEquals(Map.of(CAM, 30L), t.lastSeqs());
    }
}
