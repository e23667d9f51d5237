package io.segstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaClientConfigsTest {

    @Test
    void brokerTopicProducerAndConsumerAgreeOnTheLargestRecord() {
        Map<String, String> broker = KafkaClientConfigs.brokerSizeLimits();
        Properties producer = KafkaClientConfigs.producer("127.0.0.1:9092");
        Properties consumer = KafkaClientConfigs.consumer("127.0.0.1:9092");
        long batch = Long.parseLong(broker.get("message.max.bytes"));

        assertTrue(batch > KafkaClientConfigs.MAX_RECORD_BYTES, "a batch must hold a maximal record plus framing");
        assertEquals(batch, Long.parseLong(KafkaClientConfigs.topicSizeLimits().get("max.message.bytes")));
        assertEquals(batch, Long.parseLong(producer.getProperty("max.request.size")));
        assertTrue(Long.parseLong(producer.getProperty("buffer.memory")) >= batch);
        assertEquals(batch, Long.parseLong(consumer.getProperty("max.partition.fetch.bytes")));
        assertTrue(Long.parseLong(consumer.getProperty("fetch.max.bytes")) >= batch);
        assertTrue(Long.parseLong(broker.get("replica.fetch.max.bytes")) >= batch);
        assertTrue(Long.parseLong(broker.get("fetch.max.bytes")) >= batch);
        assertTrue(Long.parseLong(broker.get("socket.request.max.bytes")) >= batch);
        assertEquals("read_committed", consumer.getProperty("isolation.level"));
    }
}
