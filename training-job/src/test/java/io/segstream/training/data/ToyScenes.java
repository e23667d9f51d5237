package io.segstream.training.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Tiny deterministic scenes for tests: sky over road with a box-shaped object, three classes (0 road, 1 sky,
 * 2 object) with texture noise, a colour cast per image and a few ignored pixels.
 */
public final class ToyScenes {
    private ToyScenes() {
    }

    public static List<TrainingSample> make(int count, int width, int height, long seed) {
        List<TrainingSample> out = new ArrayList<>();
        Random r = new Random(seed);
        for (int n = 0; n < count; n++) {
            byte[] rgb = new byte[3 * width * height];
            byte[] ids = new byte[width * height];
            int horizon = height / 3 + r.nextInt(height / 4);
            int bw = width / 6 + r.nextInt(width / 5);
            int bh = height / 6 + r.nextInt(height / 5);
            int bx = r.nextInt(width - bw);
            int by = Math.min(height - bh, horizon - bh / 2 + r.nextInt(height / 6));
            int cast = r.nextInt(30) - 15;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = y * width + x;
                    int cls = y < horizon ? 1 : 0;
                    if (x >= bx && x < bx + bw && y >= by && y < by + bh) {
                        cls = 2;
                    }
                    int[] base = switch (cls) {
                        case 0 -> new int[] {110, 110, 115};
                        case 1 -> new int[] {120, 160, 220};
                        default -> new int[] {200, 40, 40};
                    };
                    int noise = r.nextInt(41) - 20;
                    for (int c = 0; c < 3; c++) {
                        rgb[3 * i + c] = (byte) Math.max(0, Math.min(255, base[c] + noise + cast));
                    }
                    ids[i] = (byte) (r.nextInt(200) == 0 ? 255 : cls);
                }
            }
            out.add(new TrainingSample(String.format("toy_%06d_%06d", n / 100, n % 100), width, height, rgb, ids));
        }
        return out;
    }
}
