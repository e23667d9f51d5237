package io.segstream.training.model;

import java.util.Locale;
import java.util.Objects;

/**
 * What to build: a registered model name, the number of classes, the input size, a width multiplier and the
 * model-specific choices (DeepLabV3+ backbone, FCN encoder and stride).
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.builder().setModel("deeplabv3+").setNumClasses(19).setSize(512, 256)
 *         .optBackbone("xception").optWidthMultiplier(0.5).build();
 * }</pre>
 *
 * @param model           registered model name ({@link ModelRegistry#names()})
 * @param numClasses      output classes (channels of the logits)
 * @param width           input width in pixels
 * @param height          input height in pixels
 * @param widthMultiplier scales every layer's channel count (1 = the published model)
 * @param backbone        DeepLabV3+ backbone: {@code mobilenetv2} or {@code xception}
 * @param encoder         FCN encoder: {@code mobilenetv2}, {@code resnet18} or {@code vgg16}
 * @param fcnStride       FCN variant: 32, 16 or 8
 */
public record ModelSpec(String model, int numClasses, int width, int height, double widthMultiplier, String backbone,
        String encoder, int fcnStride) {

    public static final String DEFAULT_BACKBONE = "mobilenetv2";
    public static final String DEFAULT_ENCODER = "mobilenetv2";
    public static final int DEFAULT_FCN_STRIDE = 8;

    /** Channels of a layer that has {@code channels} in the published model, scaled by the width multiplier. */
    public int channels(int channels) {
        return Math.max(2, (int) Math.round(channels * widthMultiplier));
    }

    /** The same model at another input size. */
    public ModelSpec withSize(int newWidth, int newHeight) {
        return new ModelSpec(model, numClasses, newWidth, newHeight, widthMultiplier, backbone, encoder, fcnStride);
    }

    /** A short label such as {@code fcn8-resnet18} or {@code deeplabv3+-xception}. */
    public String label() {
        return switch (model) {
            case "fcn" -> "fcn" + fcnStride + "-" + encoder;
            case "deeplabv3+" -> "deeplabv3+-" + backbone;
            default -> model;
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ModelSpec}; {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private String model;
        private int numClasses = -1;
        private int width = -1;
        private int height = -1;
        private double widthMultiplier = 1.0;
        private String backbone = DEFAULT_BACKBONE;
        private String encoder = DEFAULT_ENCODER;
        private int fcnStride = DEFAULT_FCN_STRIDE;

        public Builder setModel(String model) {
            this.model = model == null ? null : model.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder setNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        public Builder setSize(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        public Builder optWidthMultiplier(double widthMultiplier) {
            this.widthMultiplier = widthMultiplier;
            return this;
        }

        public Builder optBackbone(String backbone) {
            this.backbone = backbone == null ? DEFAULT_BACKBONE : backbone.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder optEncoder(String encoder) {
            this.encoder = encoder == null ? DEFAULT_ENCODER : encoder.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder optFcnStride(int fcnStride) {
            this.fcnStride = fcnStride;
            return this;
        }

        public ModelSpec build() {
            Objects.requireNonNull(model, "model name is required (setModel)");
            ModelRegistry.get(model);
            if (numClasses < 2 || numClasses > 255) {
                throw new IllegalArgumentException("number of classes must be in 2..255, got " + numClasses);
            }
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("input size must be positive, got " + width + "x" + height
                        + " (setSize)");
            }
            if (!(widthMultiplier > 0 && widthMultiplier <= 4)) {
                throw new IllegalArgumentException("width multiplier must be in (0, 4], got " + widthMultiplier);
            }
            if (!Encoders.DEEPLAB_BACKBONES.contains(backbone)) {
                throw new IllegalArgumentException("unknown DeepLabV3+ backbone '" + backbone + "'; use one of "
                        + String.join(", ", Encoders.DEEPLAB_BACKBONES));
            }
            if (!Encoders.FCN_ENCODERS.contains(encoder)) {
                throw new IllegalArgumentException("unknown FCN encoder '" + encoder + "'; use one of "
                        + String.join(", ", Encoders.FCN_ENCODERS));
            }
            if (fcnStride != 8 && fcnStride != 16 && fcnStride != 32) {
                throw new IllegalArgumentException("FCN stride must be 8, 16 or 32 (FCN-8s/16s/32s), got " + fcnStride);
            }
            return new ModelSpec(model, numClasses, width, height, widthMultiplier, backbone, encoder, fcnStride);
        }
    }
}
