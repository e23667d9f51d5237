package io.segstream.training.run;

import io.segstream.training.model.Encoders;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelComplexity;
import io.segstream.training.model.ModelRegistry;
import io.segstream.training.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code segstream models} prints: every model (and backbone or encoder variant) with its parameters,
 * GFLOPs of one forward pass at a given size (2048×1024 by default) and output stride.
 */
public final class ModelTable {
    private ModelTable() {
    }

    /** One row. */
    public record Row(String model, long params, double gflops, int outputStride, String description) {
    }

    /** Every registered model and variant, at full width. */
    public static List<ModelSpec> variants(int numClasses, int width, int height, double widthMultiplier) {
        List<ModelSpec> specs = new ArrayList<>();
        for (String name : ModelRegistry.names()) {
            ModelSpec.Builder b = ModelSpec.builder().setModel(name).setNumClasses(numClasses).setSize(width, height)
                    .optWidthMultiplier(widthMultiplier);
            if (name.equals("deeplabv3+")) {
                for (String backbone : Encoders.DEEPLAB_BACKBONES) {
                    specs.add(b.optBackbone(backbone).build());
                }
            } else if (name.equals("fcn")) {
                for (String encoder : Encoders.FCN_ENCODERS) {
                    specs.add(b.optEncoder(encoder).optFcnStride(8).build());
                }
            } else {
                specs.add(b.build());
            }
        }
        return specs;
    }

    /** Computes the rows from the layer shapes (no weights are allocated). */
    public static List<Row> rows(int numClasses, int width, int height) {
        List<Row> rows = new ArrayList<>();
        for (ModelSpec spec : variants(numClasses, width, height, 1.0)) {
            ModelBuilder.BuiltModel m = ModelBuilder.builder().setSpec(spec).build();
            ModelComplexity c = ModelComplexity.of(m.configuration(), height, width);
            rows.add(new Row(spec.label(), c.params(), c.flops() / 1e9, m.outputStride(),
                    ModelRegistry.get(spec.model()).description()));
        }
        return rows;
    }

    /** The rows as an aligned text table. */
    public static String format(List<Row> rows, int width, int height) {
        StringBuilder sb = new StringBuilder();
        String gflops = "GFLOPs@" + width + "x" + height;
        sb.append(String.format(Locale.ROOT, "%-24s %12s %16s %6s  %s%n", "model", "params", gflops, "stride",
                "description"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-24s %12s %16.1f %6d  %s%n", r.model(),
                    String.format(Locale.ROOT, "%,d", r.params()), r.gflops(), r.outputStride(), r.description()));
        }
        return sb.toString();
    }
}
