/**
 * Kafka for segstream without Flink: size limits, topics, and typed Avro producers and readers. The embedded
 * broker ({@code EmbeddedKafka}) shares this package but lives in the {@code embedded-kafka} module, so that a
 * process that only talks to Kafka does not carry the broker.
 *
 * <ul>
 *   <li>{@link io.segstream.connectors.kafka.KafkaClientConfigs}: the one place for record size limits
 *       (broker, topic, producer, consumer) and client defaults (read_committed, idempotence).</li>
 *   <li>{@link io.segstream.connectors.kafka.KafkaClientSecurity}: SASL_SSL (SCRAM) and mTLS for every client, from
 *       {@code SEGSTREAM_KAFKA_*} variables; secrets only as references to mounted files or variables.</li>
 *   <li>{@link io.segstream.connectors.kafka.SegstreamTopics} / {@link io.segstream.connectors.kafka.TopicSpec}:
 *       the frames, masks, alerts, models and dead-letter topics; {@link io.segstream.connectors.kafka.KafkaTopicAdmin}
 *       creates the missing ones.</li>
 *   <li>{@link io.segstream.connectors.kafka.AvroKafkaProducer} and
 *       {@link io.segstream.connectors.kafka.AvroTopicReader}: write and read one Avro record type.</li>
 *   <li>{@link io.segstream.connectors.kafka.DeadLetters}: dead letters with source position and reason.</li>
 * </ul>
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().optTopics(SegstreamTopics.defaults().all()).start();
 *      AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
 *              .setBootstrapServers(kafka.bootstrapServers()).setTopic("segstream.frames").build()) {
 *     producer.send(frame);   // key: the frame's camera_id
 *     producer.flush();
 * }
 * }</pre>
 */
package io.segstream.connectors.kafka;
