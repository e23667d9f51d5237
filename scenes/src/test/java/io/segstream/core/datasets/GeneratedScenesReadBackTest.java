package io.segstream.core.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.core.scenes.ProgressListener;
import io.segstream.core.scenes.Scene;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the scene generator writes, the Cityscapes reader reads back: same frames, same pixels, same labels. */
class GeneratedScenesReadBackTest {
    @TempDir
    Path root;

    @Test
    void theReaderSeesEveryGeneratedSceneWithItsExactLabels() throws Exception {
        SceneGenerator gen = SceneGenerator.builder().setSize(160, 80).optKind(SceneKind.MIXED).optSeed(3).build();
        SceneWriter.writeScenes(gen, root, "val", 6, 2, ProgressListener.none());

        List<CityscapesSample> samples = CityscapesDataset.open(root).split("val");
        assertEquals(6, samples.size());
        for (int i = 0; i < 6; i++) {
            SceneWriter.FrameId id = SceneWriter.stillId(i);
            CityscapesSample s = samples.stream().filter(x -> x.id().equals(id.stem())).findFirst().orElseThrow();
            Scene scene = gen.render(i);
            assertArrayEquals(scene.labelIds().values(), s.loadLabelIds().values(), id.stem() + " labelIds");
            assertArrayEquals(scene.instanceIds().values(), s.loadInstanceIds().values(), id.stem() + " instanceIds");
            assertArrayEquals(scene.rgbBytes(), s.loadRgb().toRgbBytes(), id.stem() + " image");
        }
    }
}
