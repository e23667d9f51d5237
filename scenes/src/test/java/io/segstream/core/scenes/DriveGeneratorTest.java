package io.segstream.core.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriveGeneratorTest {
    private static final int W = 256;
    private static final int H = 128;

    private static DriveGenerator personOnTrack() {
        return DriveGenerator.builder().setSize(W, H).setFrames(24).optKind(SceneKind.RAIL).optSeed(4)
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, 10, 20)).build();
    }

    @Test
    void aScriptedPersonEntersAndLeavesTheTrackOnTheFramesGiven() {
        DriveGenerator d = personOnTrack();
        assertTrue(d.scripted());
        assertEquals(1, d.intrusions().size(), "scripted drives have no random intrusions");
        List<DriveEvent> events = d.events();
        assertEquals(2, events.size(), events.toString());
        assertEquals(DriveEvent.Type.ENTER, events.get(0).type());
        assertEquals(10, events.get(0).frame());
        assertEquals(1.0, events.get(0).time(), 1e-12);
        assertEquals(DriveEvent.Type.EXIT, events.get(1).type());
        assertEquals(21, events.get(1).frame());
        assertEquals(24000, events.get(0).instanceId());
        for (int f = 0; f < d.frames(); f++) {
            assertEquals(f >= 10 && f <= 20, d.inside(0, f), "frame " + f);
        }
    }

    @Test
    void theIntruderIsDrawnInsideTheTrackZoneExactlyWhileInside() {
        DriveGenerator d = personOnTrack();
        for (int f : new int[] {6, 9, 10, 15, 20, 21}) {
            Scene s = d.render(f);
            SceneObject person = s.objects().stream().filter(o -> o.intrusion() == 0).findFirst().orElseThrow(
                    () -> new AssertionError("the intruder is visible in frame " + f));
            assertEquals(24000, person.instanceId());
            assertEquals(d.inside(0, f), person.area() == Area.TRACK, "frame " + f + ": " + person);
            AreaOutline track = s.zone(Area.TRACK).orElseThrow();
            int inZone = 0;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if (s.instanceIds().get(x, y) == 24000 && track.contains((x + 0.5) / W, (y + 0.5) / H)) {
                        inZone++;
                    }
                }
            }
            if (d.inside(0, f)) {
                assertTrue(inZone > 0, "frame " + f + ": the person's pixels overlap the track zone");
            }
        }
    }

    @Test
    void theCameraMovesForwardAndStaticThingsComeCloser() {
        DriveGenerator d = personOnTrack();
        double step = d.speed() / d.fps();
        Scene a = d.render(11);
        Scene b = d.render(12);
        double da = a.objects().stream().filter(o -> o.intrusion() == 0).findFirst().orElseThrow().distance();
        double db = b.objects().stream().filter(o -> o.intrusion() == 0).findFirst().orElseThrow().distance();
        assertEquals(step, da - db, 1e-9);
        assertEquals(b.camera().position() - a.camera().position(), step, 1e-9);
        assertFalse(Arrays.equals(a.labelIds().values(), b.labelIds().values()), "sleepers and masts scroll");
    }

    @Test
    void framesAreAPureFunctionOfTheSettings() {
        Scene a = personOnTrack().render(7);
        Scene b = personOnTrack().render(7);
        assertArrayEquals(a.rgb(), b.rgb());
        assertArrayEquals(a.instanceIds().values(), b.instanceIds().values());
    }

    @Test
    void unscriptedDrivesBringTheirOwnIntrusions() {
        DriveGenerator d = DriveGenerator.builder().setSize(W, H).setFrames(30).optSeed(9).build();
        assertFalse(d.scripted());
        assertFalse(d.intrusions().isEmpty());
        assertFalse(d.events().isEmpty());
        DriveEvent enter = d.events().get(0);
        assertEquals(DriveEvent.Type.ENTER, enter.type());
        Scene s = d.render(enter.frame());
        Optional<SceneObject> actor = s.objects().stream().filter(o -> o.instanceId() == enter.instanceId()).findFirst();
        assertTrue(actor.isPresent(), "the intruder is visible when it enters");
        assertEquals(enter.area(), actor.get().area());
    }

    @Test
    void intruderInstanceIdsStayTheSameAndOthersDoNotReuseThem() {
        DriveGenerator d = DriveGenerator.builder().setSize(W, H).setFrames(20).optKind(SceneKind.ROAD).optSeed(2)
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.CARRIAGEWAY, 2, 12))
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.CARRIAGEWAY, 5, 15).fromSide(Intrusion.Side.LEFT))
                .build();
        assertEquals(24000, d.instanceId(0));
        assertEquals(24001, d.instanceId(1));
        for (int f : new int[] {3, 8, 14}) {
            Scene s = d.render(f);
            for (SceneObject o : s.objects()) {
                if (o.instanceId() == 24000 || o.instanceId() == 24001) {
                    assertEquals(o.instanceId() - 24000, o.intrusion(), "frame " + f + ": " + o);
                }
            }
        }
        assertNotEquals(d.events().get(0).instanceId(), d.events().get(1).instanceId());
    }

    @Test
    void badScriptsAreRejectedWithWhatToFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DriveGenerator.builder()
                .setSize(W, H).setFrames(30).optKind(SceneKind.RAIL).optSpeed(20)
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, 0, 29).withDistance(30)).build());
        assertTrue(e.getMessage().startsWith("intrusion person in track, frames 0..29 starts 30.0 m ahead, but at 20.0"
                + " m/s the camera comes within -28.0 m of it by frame 29"), e.getMessage());
        assertTrue(e.getMessage().contains("give a distance of at least"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DriveGenerator.builder().setSize(W, H).setFrames(10)
                .optKind(SceneKind.ROAD).optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, 1, 5)).build());
        assertTrue(e.getMessage().contains("needs a track, but this drive (kind road, seed 0) has the road layout"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DriveGenerator.builder().setSize(W, H).setFrames(10)
                .optIntrusion(Intrusion.of(Actor.CAR, Area.CARRIAGEWAY, 5, 10)).optKind(SceneKind.ROAD).build());
        assertEquals("intrusion car in carriageway, frames 5..10 ends after the last frame 9 of the drive; end it at"
                + " frame 9 or earlier", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DriveGenerator.builder().setSize(W, H).build());
        assertEquals("the number of frames is required: call setFrames(n)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Intrusion.of(Actor.PERSON, Area.SIDEWALK, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Intrusion.of(Actor.PERSON, Area.TRACK, 5, 2));
    }
}
