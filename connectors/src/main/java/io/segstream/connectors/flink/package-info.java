/**
 * Flink Kafka sources and sinks of segstream's Avro records, with dead-letter routing.
 *
 * <p>A source never fails on a bad value: {@link io.segstream.connectors.flink.AvroKafkaSource} emits
 * {@link io.segstream.connectors.flink.Decoded} records, {@link io.segstream.connectors.flink.DecodedSplit}
 * separates good records from dead letters, and {@link io.segstream.connectors.flink.AvroKafkaSink} writes
 * either, exactly once if asked. A job reading frames and writing masks looks like this:
 *
 * <pre>{@code
 * env.enableCheckpointing(10_000);
 * KafkaSource<Decoded<CameraFrame>> source = AvroKafkaSource.builder(CameraFrame.class)
 *         .setBootstrapServers(bootstrap).setTopic(topics.frames()).setGroupId("segstream-inference").build();
 * WatermarkStrategy<Decoded<CameraFrame>> watermarks = WatermarkStrategy
 *         .<Decoded<CameraFrame>>forBoundedOutOfOrderness(Duration.ofSeconds(2))
 *         .withTimestampAssigner((d, kafkaTs) ->
 *                 d.isRecord() ? d.getRecord().getCaptureTime().toEpochMilli() : kafkaTs)
 *         .withIdleness(Duration.ofSeconds(30));
 * DecodedSplit<CameraFrame> frames = DecodedSplit.of(env.fromSource(source, watermarks, "frames"), "frames");
 *
 * DataStream<SegmentationMask> masks = frames.decoded().process(...);   // Decoded keeps the source position
 * masks.sinkTo(AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bootstrap)
 *         .setTopic(topics.masks()).optExactlyOnce("segstream-inference-masks")
 *         .optCheckpointInterval(Duration.ofSeconds(10)).build()).name("masks").uid("masks-sink");
 * frames.deadLetters()                                                 // union the job's own dead letters here
 *         .sinkTo(AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bootstrap)
 *                 .setTopic(topics.deadLetters()).build()).name("dead letters").uid("dead-letter-sink");
 * }</pre>
 */
package io.segstream.connectors.flink;
